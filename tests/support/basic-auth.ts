/** `Authorization: Basic ...` per RFC 6749 §2.3.1: client id and secret form-urlencoded, then base64. */
export function basicAuthorization(clientId: string, secret: string): string {
	const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
	return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

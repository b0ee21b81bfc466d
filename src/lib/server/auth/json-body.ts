/** The request body as a JSON object, or null when it is not one (wrong type, malformed, too large). */
export async function readJSONObject(request: Request, maxBytes = 16_384): Promise<Record<string, unknown> | null> {
	if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) return null;
	const text = await request.text();
	if (text.length > maxBytes) return null;
	try {
		const value: unknown = JSON.parse(text);
		return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
	} catch {
		return null;
	}
}

/** The request body as a JSON object, or null when it is not one (wrong type, malformed, too large). */
export async function readJSONObject(request: Request, maxBytes = 16_384): Promise<Record<string, unknown> | null> {
	if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) return null;
	const text = await request.text();
	// Postgres text cannot store NUL; such input is malformed for every field we accept.
	if (text.length > maxBytes || text.includes('\0') || /\\u0000/i.test(text)) return null;
	try {
		const value: unknown = JSON.parse(text);
		return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
	} catch {
		return null;
	}
}

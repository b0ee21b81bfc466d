/** The request body as a JSON object, or null when it is not one (wrong type, malformed, too large). */
export async function readJSONObject(request: Request, maxBytes = 16_384): Promise<Record<string, unknown> | null> {
	if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) return null;
	const text = await request.text();
	if (text.length > maxBytes) return null;
	try {
		const value: unknown = JSON.parse(text);
		if (!isStorableJSON(value)) return null;
		return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
	} catch {
		return null;
	}
}

/**
 * Whether every string in a JSON value can be stored: Postgres text and jsonb refuse NUL and
 * lone UTF-16 surrogates, and no field we accept legitimately contains either.
 */
function isStorableJSON(value: unknown): boolean {
	if (typeof value === 'string') return value.isWellFormed() && !value.includes('\0');
	if (Array.isArray(value)) return value.every(isStorableJSON);
	if (typeof value === 'object' && value !== null) return Object.entries(value).every(([k, v]) => isStorableJSON(k) && isStorableJSON(v));
	return true;
}

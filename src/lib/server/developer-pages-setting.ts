/**
 * DEVELOPER_PAGES: whether the provider shows its developer pages (the key lifecycle at
 * /dev/keys, the "For developers" part of a rejected request, with the client's registered
 * redirect URIs). They describe configuration, so a production build shows nothing unless the
 * operator says `true`; `vite dev` shows them by default (`false` turns them off).
 */
export function loadDeveloperPagesSetting(vars: Record<string, string | undefined>, dev: boolean): boolean {
	const raw = vars.DEVELOPER_PAGES?.trim().toLowerCase();
	if (raw === undefined || raw === '') return dev;
	if (raw === 'true') return true;
	if (raw === 'false') return false;
	throw new Error(`DEVELOPER_PAGES must be "true" or "false", not "${vars.DEVELOPER_PAGES}"`);
}

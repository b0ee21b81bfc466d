import type { LayoutServerLoad } from './$types';
import { config } from '$lib/server/config';

/** What the shared top bar shows: which origin this is and who is signed in on it. */
export const load: LayoutServerLoad = ({ locals }) => {
	const { origins, sites } = config();
	const origin = locals.origin;
	const title = origin === 'provider' ? 'SSO Provider' : sites[origin].title;
	const signedInAs = origin === 'provider' ? locals.session?.user.name : ((locals.rpSession?.claims.name as string | undefined) ?? locals.rpSession?.subject);
	return { origin, title, host: origins[origin].host, signedInAs: signedInAs ?? null };
};

import { eq } from 'drizzle-orm';
import type { Database } from './db';
import { users } from './db/schema';
import { createUser } from './auth/user';
import { saveClient } from './oidc/clients';
import type { SiteConfig } from './config';
import { DEMO_SITES, DEMO_USER } from '../demo-data';

/**
 * Demo data for local use: one user and the two demo sites' clients. The client secrets are
 * the guide's published values, fine on localhost and nowhere else; set SEED_DEMO_DATA=false
 * in any real deployment.
 */
export async function seedDemoData(db: Database, sites: SiteConfig[]): Promise<{ createdUser: boolean }> {
	for (const site of sites) {
		await saveClient(db, {
			id: site.clientId,
			secret: site.clientSecret,
			name: site.title,
			redirectURIs: redirectURIsFor(site, sites),
			tokenEndpointAuthMethod: site.tokenEndpointAuthMethod,
			trusted: true,
			postLogoutRedirectURIs: [new URL('/', site.url).href],
			backchannelLogoutURI: new URL('/auth/backchannel-logout', site.url).href,
			// Shown on the sign-in and consent pages (RFC 7591 §2 logo_uri); the site serves it.
			logoURI: new URL('/logo.svg', site.url).href
		});
	}
	const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_USER.email)).limit(1);
	if (existing) return { createdUser: false };
	const user = await createUser(db, DEMO_USER);
	if (user) await db.update(users).set({ emailVerified: true }).where(eq(users.id, user.id));
	return { createdUser: true };
}

// The guide registers internal-dashboard with both sites' callbacks, so the client works
// from either port as in its curl examples; other clients get only their own.
function redirectURIsFor(site: SiteConfig, sites: SiteConfig[]): string[] {
	const own = new URL('/auth/callback', site.url).href;
	if (site.clientId !== DEMO_SITES.site1.clientId) return [own];
	return [own, ...sites.filter((s) => s !== site).map((s) => new URL('/auth/callback', s.url).href)];
}

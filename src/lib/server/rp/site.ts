import { config, type SiteConfig } from '../config';
import type { OriginName } from '../../origins.js';
import type { RelyingParty } from './flow';

/** The demo site serving this origin, with its client registration and callback URL. */
export function demoSite(origin: OriginName): { site: SiteConfig; rp: RelyingParty; issuer: string } {
	if (origin === 'provider') throw new Error('the provider origin is not a demo site');
	const { sites, issuer } = config();
	const site = sites[origin];
	return {
		site,
		issuer,
		rp: {
			clientId: site.clientId,
			clientSecret: site.clientSecret,
			redirectURI: new URL('/auth/callback', site.url).href,
			tokenEndpointAuthMethod: site.tokenEndpointAuthMethod
		}
	};
}

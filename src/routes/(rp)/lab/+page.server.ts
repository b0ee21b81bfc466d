import { error, fail, redirect, type Cookies } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { config } from '$lib/server/config';
import { database } from '$lib/server/db/instance';
import { rpInspectorCookie } from '$lib/server/rp/cookies';
import type { Diagnosis } from '$lib/server/rp/common-issues-lab';
import {
	diagnoseRedirectRun,
	diagnoseRotationRun,
	LabUnavailable,
	noteRefusedSignIn,
	parseLabState,
	redirectMismatchRequest,
	runEmptyJWKS,
	runExpiredToken,
	runInvalidSignature,
	serializeLabState,
	startKeyRotation,
	type LabContext,
	type LabState
} from '$lib/server/rp/common-issues-lab-runs';
import { discoverProvider } from '$lib/server/rp/discovery';
import { browserFlows } from '$lib/server/rp/flow-inspector';
import { demoSite } from '$lib/server/rp/site';

/**
 * The common-issues lab (common-issues-lab.ts): on with the flow inspector (FLOW_INSPECTOR,
 * on under `npm run dev`, off in a production build unless the operator sets it), 404 otherwise.
 */
function requireLab(): void {
	if (!config().flowInspector) error(404, 'Not Found');
}

async function labContext(origin: App.Locals['origin']): Promise<LabContext> {
	const { rp, issuer, site } = demoSite(origin);
	return { rp, issuer, siteURL: site.url, provider: await discoverProvider(issuer) };
}

const labCookie = (site: string, secure: boolean) => `${secure ? '__Host-' : ''}rp_${site}_lab`;

function readLabState(cookies: Cookies, site: string, secure: boolean): LabState {
	return parseLabState(cookies.get(labCookie(site, secure)));
}

function saveLabState(cookies: Cookies, site: string, secure: boolean, state: LabState): void {
	cookies.set(labCookie(site, secure), serializeLabState(state), { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: 3600 });
}

export const load: PageServerLoad = async ({ locals, cookies, url, setHeaders }) => {
	requireLab();
	setHeaders({ 'cache-control': 'no-store' });
	const secure = url.protocol === 'https:';
	const context = await labContext(locals.origin);
	const state = readLabState(cookies, locals.origin, secure);
	let rotation: Diagnosis | undefined;
	if (state.rotation) {
		const { db } = await database();
		const flows = await browserFlows({ db, site: locals.origin, secure, token: cookies.get(rpInspectorCookie(locals.origin, secure)) });
		// A refused sign-in leaves the inspector's log once a later one succeeds: keep it with the run.
		const noted = noteRefusedSignIn(state.rotation, flows, context.provider.jwks_uri);
		if (noted) saveLabState(cookies, locals.origin, secure, { ...state, rotation: noted });
		rotation = diagnoseRotationRun(noted ?? state.rotation, flows, context.provider.jwks_uri);
	}
	return {
		siteTitle: demoSite(locals.origin).site.title,
		signedIn: locals.rpSession !== null,
		clientId: context.rp.clientId,
		registeredRedirectURI: context.rp.redirectURI,
		developerPages: config().developerPages,
		devKeysURL: new URL('/dev/keys', context.issuer).href,
		rotation: rotation && { mode: state.rotation!.mode, diagnosis: rotation },
		redirect: state.redirect && diagnoseRedirectRun(context, state.redirect)
	};
};

/** Scenarios 1, 2 and 4 need a real ID token: the one this site verified when the user signed in. */
function sessionIDToken(locals: App.Locals): string | null {
	return locals.rpSession?.idToken ?? null;
}

const SIGN_IN_FIRST = 'Sign in first (the button at the top): this scenario uses the ID token of your sign-in.';

async function tokenScenario(event: RequestEvent, run: (context: LabContext, idToken: string, form: FormData) => Promise<Diagnosis>) {
	requireLab();
	const idToken = sessionIDToken(event.locals);
	const form = await event.request.formData();
	if (!idToken) return fail(401, { scenario: form.get('scenario')?.toString() ?? '', message: SIGN_IN_FIRST });
	const diagnosis = await run(await labContext(event.locals.origin), idToken, form);
	return { diagnosis };
}

export const actions: Actions = {
	emptyJWKS: (event) => tokenScenario(event, (context, idToken) => runEmptyJWKS(context, idToken)),
	invalidSignature: (event) =>
		tokenScenario(event, (context, idToken, form) =>
			runInvalidSignature(context, idToken, form.get('variant') === 'foreign-key' ? 'foreign-key' : 'altered-payload')
		),
	tokenExpired: (event) => tokenScenario(event, (context, idToken) => runExpiredToken(context, idToken)),
	redirectMismatch: async ({ locals, cookies, url }) => {
		requireLab();
		const secure = url.protocol === 'https:';
		const { url: authorize, run } = redirectMismatchRequest(await labContext(locals.origin));
		saveLabState(cookies, locals.origin, secure, { ...readLabState(cookies, locals.origin, secure), redirect: run });
		redirect(303, authorize.href);
	},
	rotate: async ({ locals, cookies, url, request }) => {
		requireLab();
		const form = await request.formData();
		const mode = form.get('mode') === 'publish-ahead' ? 'publish-ahead' : 'unannounced';
		const secure = url.protocol === 'https:';
		let rotation;
		try {
			rotation = await startKeyRotation(await labContext(locals.origin), mode);
		} catch (e) {
			if (e instanceof LabUnavailable) return fail(503, { scenario: 'key-rotation', message: e.message });
			throw e;
		}
		saveLabState(cookies, locals.origin, secure, { ...readLabState(cookies, locals.origin, secure), rotation });
		// A new sign-in gets a token signed with the new key; the callback brings the browser back here.
		redirect(303, '/auth/sign-in?return_to=/lab');
	}
};

import type { ParamMatcher } from '@sveltejs/kit';

/** The statuses hooks.server.ts renders as styled pages for browsers (see styleBareErrors). */
export const match: ParamMatcher = (param): param is '404' | '405' => param === '404' || param === '405';

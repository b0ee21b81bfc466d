import type { ParamMatcher } from '@sveltejs/kit';

/** The statuses src/lib/server/endpoint-pages.ts renders as styled pages (hooks' bare 404/405, endpoints' 400/503). */
export const match: ParamMatcher = (param): param is '400' | '404' | '405' | '503' => param === '400' || param === '404' || param === '405' || param === '503';

// `npm run lint` (after `prettier --check`): the recommended rule sets of ESLint,
// typescript-eslint and eslint-plugin-svelte; formatting is Prettier's alone
// (eslint-config-prettier and the Svelte plugin's prettier set switch off the style rules),
// except the line width of what Prettier does not wrap (@stylistic/max-len below).
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
	{ ignores: ['build/', '.svelte-kit/', 'drizzle/meta/', 'test-results/', 'playwright-report/', '.data/'] },
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	prettier,
	...svelte.configs.prettier,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } }
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
		languageOptions: {
			parserOptions: { extraFileExtensions: ['.svelte'], parser: ts.parser, svelteConfig }
		}
	},
	{
		plugins: { '@stylistic': stylistic },
		rules: {
			// Prettier wraps code to printWidth, never strings, comments or template literals: this holds them to the same 160 (a tab counts 2, as in Prettier).
			'@stylistic/max-len': ['error', { code: 160, tabWidth: 2 }],
			// `_`-prefixed names are deliberately unused (a destructured field left out, a required parameter).
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
			// Off: every control-character class here (/[\x00-\x1f]/) exists to reject such characters in input.
			'no-control-regex': 'off',
			// Off: Kit's redirect()/error() return `never`, which ESLint cannot see, so every `case` that ends in one is reported.
			'no-fallthrough': 'off',
			// Off: the app has no `paths.base` and links to the other origins (the demo sites) cannot go through resolve().
			'svelte/no-navigation-without-resolve': 'off',
			// Off: a plain space that opens an {#if} block is trimmed, and `{' '}` is how a page keeps it.
			'svelte/no-useless-mustaches': 'off'
		}
	},
	{
		files: ['tests/e2e/**'],
		// Playwright reads a hook's fixtures from its first parameter, which must be a destructuring pattern: `({}, testInfo)`.
		rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] }
	}
);

// axe-core (through @axe-core/playwright) on the page as the user sees it now: WCAG 2.x A and
// AA rules plus axe's best practices. A violation fails the test with each rule, its help text
// and the offending elements, so the message says what to fix.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** Runs axe on the current page; `state` names what is on screen, for the failure message. */
export async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
	const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
	const described = violations.map(
		(v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replaceAll('\n', ' ')}`).join('\n')}`
	);
	expect(described, `axe violations on ${state} (${page.url()})`).toEqual([]);
}

/**
 * axe on what is on screen, where the page may run scripts. axe runs as a script in the page,
 * which the no-js project does not allow; the pages are rendered on the server alike with and
 * without JavaScript, so the chromium project's run covers both.
 */
export async function expectAccessible(page: Page, state: string): Promise<void> {
	if (test.info().project.use.javaScriptEnabled === false) return;
	await expectNoAxeViolations(page, state);
}

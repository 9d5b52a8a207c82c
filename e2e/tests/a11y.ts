import AxeBuilder from '@axe-core/playwright';
import { expect, Page, TestInfo } from '@playwright/test';

/**
 * Runs axe on the page as it is now and fails on serious or critical violations (WCAG 2.1 A/AA
 * rules), naming each rule and the first elements it found. The full report is attached.
 */
export async function expectAccessible(
  page: Page,
  testInfo: TestInfo,
  name: string,
) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    // The app's sidebar is Backstage's shell, not these pages: its notifications item names itself
    // "Notifications" while showing an unread count (label-content-name-mismatch, upstream).
    .exclude('nav[aria-label="sidebar nav"]')
    .analyze();
  await testInfo.attach(`axe-${name}.json`, {
    body: JSON.stringify(results.violations, null, 2),
    contentType: 'application/json',
  });
  const serious = results.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(
      v =>
        `${v.impact} ${v.id}: ${v.help} — ${v.nodes
          .slice(0, 3)
          .map(n => n.target.join(' '))
          .join(' | ')}`,
    );
  expect(serious, `axe on ${name}`).toEqual([]);
}

/** The page's one-line answer, visible without scrolling at the journeys' 1440×900. */
export async function expectAnswerOnFirstScreen(
  page: Page,
  text: RegExp,
  index = 0,
) {
  const answer = page.getByTestId('iam-answer').nth(index);
  await expect(answer).toHaveText(text);
  await expect(answer).toBeInViewport({ ratio: 1 });
  return answer;
}

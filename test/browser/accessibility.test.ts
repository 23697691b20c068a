/**
 * axe-core on what a reader sees: the chat page with an answer, /demo with the widget open and answering, and the
 * source viewer, in light and dark. No serious or critical violation.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { finishedAnswer, nextChat, screenshot, useBrowserSuite, type YijuServer } from '../helpers/browser.js';

// Functions given to page.evaluate() run in Chromium (the project's tsconfig has no DOM library).
declare const window: any, document: any;

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

const suite = useBrowserSuite();
let server: YijuServer;

beforeAll(async () => {
  const yiju = await suite.yiju('yiju-browser-a11y-');
  server = await suite.serve(yiju.rt);
}, 180_000);

/** axe's serious and critical violations on the page as it is now (WCAG 2.x A and AA rules, and best practices). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'] }).then((r: { violations: unknown[] }) => r.violations),
  )) as Violation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join(' | ')}`);
}

async function ask(page: Page, scope: ReturnType<Page['locator']> | Page, question: string): Promise<void> {
  const chat = nextChat(page);
  await scope.locator('textarea').fill(question);
  await scope.locator('textarea').press('Enter');
  await chat();
  const message = await finishedAnswer(scope, 0);
  await message.locator('.yj-actions').waitFor();
}

describe('what a screen reader and a finger meet on the chat page', () => {
  it("one h1; the question is the user's; the answer is announced once, when complete; chips are 24 px targets", async () => {
    const page = await suite.open(`${server.url}/`, { reducedMotion: 'reduce' });
    await page.locator('button.yj-example').first().waitFor();
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.locator('h1').textContent()).toBe(await page.locator('.yj-title').textContent());
    // The log is not read out at every streamed delta; one live region says the finished answer.
    expect(await page.locator('.yj-log').getAttribute('aria-live')).toBe('off');
    await page.evaluate(() => {
      const live = document.querySelector('.yj-root > [aria-live="polite"]');
      window.__said = [];
      new window.MutationObserver(() => live.textContent && window.__said.push(live.textContent)).observe(live, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await ask(page, page, '乡镇多久排查一次矛盾纠纷？');
    const said = (await page.evaluate(() => window.__said)) as string[];
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('每半月');
    expect(said[0]).not.toMatch(/出处|离线摘录模式：/u);
    const question = page.locator('.yj-msg.yj-user');
    expect(await question.getAttribute('role')).toBe('group');
    expect(await question.getAttribute('aria-label')).toBe('我');
    // Around each chip's centre, 24 × 24 px reach the chip.
    const chip = page.locator('a.yj-cite').first();
    const b = (await chip.boundingBox())!;
    expect(b.width).toBeLessThan(24);
    const hits = await page.evaluate(
      ({ x, y }) =>
        (
          [
            [-11, 0],
            [11, 0],
            [0, -11],
            [0, 11],
          ] as const
        ).map(([dx, dy]) => document.elementFromPoint(x + dx, y + dy)?.classList.contains('yj-cite') ?? false),
      { x: b.x + b.width / 2, y: b.y + b.height / 2 },
    );
    expect(hits).toEqual([true, true, true, true]);
  });

  it('the widget inside a host page has no h1 of its own', async () => {
    const page = await suite.open(`${server.url}/demo`);
    await page.locator('yiju-widget .yj-launcher').click();
    await page.locator('yiju-widget .yj-title').waitFor();
    expect(await page.locator('yiju-widget h1').count()).toBe(0);
    expect(await page.locator('yiju-widget h2.yj-title').count()).toBe(1);
  });
});

describe.each(['light', 'dark'] as const)('axe-core, %s', (colorScheme) => {
  it('the chat page, empty and with an answer', async () => {
    const page = await suite.open(`${server.url}/`, { colorScheme, reducedMotion: 'reduce' });
    await page.locator('button.yj-example').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await ask(page, page, '乡镇多久排查一次矛盾纠纷？');
    await page.locator('.yj-sources summary').click();
    expect(await seriousViolations(page)).toEqual([]);
    if (colorScheme === 'dark') await screenshot(page, 'chat-page-dark.png');
  });

  it('/demo with the widget open and answering', async () => {
    const page = await suite.open(`${server.url}/demo`, { colorScheme, reducedMotion: 'reduce' });
    await page.locator('yiju-widget .yj-launcher').click();
    await page.locator('yiju-widget button.yj-example').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await ask(page, page.locator('yiju-widget'), '谁对信访工作负总责？');
    expect(await seriousViolations(page)).toEqual([]);
    if (colorScheme === 'dark') await screenshot(page, 'widget-dark.png');
  });

  it('the source viewer', async () => {
    const doc = '001_0ef072b5e6e0e6d4';
    const page = await suite.open(`${server.url}/documents/${doc}#c=10-50,200-260&n=1,2&i=0`, { colorScheme, reducedMotion: 'reduce' });
    await page.locator('#yj-text mark[aria-current]').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });
});

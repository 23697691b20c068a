/**
 * The source viewer (GET /documents/:id#c=start-end,…&i=k) in a real Chromium,
 * opened from the citation chips of a real answer.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  finishedAnswer,
  nextChat,
  PNG_SIGNATURE,
  screenshot,
  trackPageErrors,
  useBrowserSuite,
  viewerTarget,
  waitInViewport,
  type Answer,
  type YijuServer,
} from '../helpers/browser.js';

// Functions given to page.evaluate() and friends run in Chromium. The project's tsconfig has no DOM
// library (and must not get one: it checks the Node code), so the browser globals they use are declared
// here, loosely, for this file only.
declare const location: any, Node: any, window: any, getComputedStyle: any, navigator: any, history: any;
type Element = any;
type HTMLAnchorElement = any;

interface Doc {
  id: string;
  title: string;
  text: string;
}

const suite = useBrowserSuite();
let server: YijuServer;
let page: Page;

beforeAll(async () => {
  const yiju = await suite.yiju('yiju-browser-viewer-');
  server = await suite.serve(yiju.rt);
}, 180_000);

beforeEach(async () => {
  page = await suite.newPage({ viewport: { width: 1280, height: 800 } });
});

async function served(id: string): Promise<Doc> {
  const res = await fetch(`${server.url}/api/documents/${encodeURIComponent(id)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Doc;
}

/** Asks on the chat page and returns the finished answer. */
async function askOnPage(question: string): Promise<{ done: Answer; message: ReturnType<Page['locator']> }> {
  await page.goto(`${server.url}/`);
  const chat = nextChat(page);
  await page.locator('#yj-q').fill(question);
  await page.locator('#yj-q').press('Enter');
  const { done } = await chat();
  const message = await finishedAnswer(page, 0);
  await message.locator('.yj-actions').waitFor();
  return { done, message };
}

/** The viewer shows the document's canonical text with one <mark> per cited span, each exactly the cited text. */
async function expectMarks(viewer: Page, doc: Doc, spans: [number, number][]) {
  await viewer.locator('#yj-text mark').first().waitFor();
  expect(await viewer.locator('#yj-text').textContent()).toBe(doc.text);
  expect(await viewer.locator('h1').textContent()).toBe(doc.title);
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < sorted.length; i++)
    expect(sorted[i]![0], 'this answer cites overlapping spans of one document').toBeGreaterThanOrEqual(sorted[i - 1]![1]);
  expect(await viewer.locator('#yj-text mark').allTextContents()).toEqual(sorted.map(([a, b]) => doc.text.slice(a, b)));
  // Nothing but the cited spans is highlighted, and the marks sit at the cited offsets.
  const offsets = await viewer.locator('#yj-text').evaluate((root) => {
    const out: [number, number][] = [];
    let at = 0;
    const walk = (n: Element) => {
      if (n.nodeType === Node.TEXT_NODE) at += n.nodeValue!.length;
      else if (n.tagName === 'MARK') {
        const start = at;
        n.childNodes.forEach(walk);
        out.push([start, at]);
      } else n.childNodes.forEach(walk);
    };
    root.childNodes.forEach(walk);
    return out;
  });
  expect(offsets).toEqual(sorted);
}

async function currentMark(viewer: Page): Promise<number> {
  return viewer.locator('#yj-text mark').evaluateAll((ms) => ms.findIndex((m) => m.getAttribute('aria-current') === 'true'));
}

describe('the source viewer', () => {
  it('a citation chip opens the document with every cited span marked exactly; next/prev move the current mark, each scrolled into view', async () => {
    const { done, message } = await askOnPage('乡镇多久排查一次矛盾纠纷？');
    // The chip with the most spans of its document (this question cites one speech several times).
    const chips = await message.locator('a.yj-cite').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    const targets = chips.map((href) => ({ href, ...viewerTarget(href) }));
    const chosen = targets.reduce((best, t) => (t.spans.length > best.spans.length ? t : best));
    expect(chosen.spans.length, 'the answer should cite several spans of one document').toBeGreaterThanOrEqual(3);
    const n = chips.indexOf(chosen.href);
    // Chip [1] opens on the first place of its document, whatever its place in the text.
    expect(targets[0]!.index).toBe(0);
    expect(targets[0]!.numbers[0]).toBe(1);
    // The chip's own span is the one the viewer starts on.
    const cited = done.citations.find(
      (c) => c.docId === chosen.docId && c.start === chosen.spans[chosen.index]![0] && c.end === chosen.spans[chosen.index]![1],
    );
    expect(cited).toBeDefined();

    // Clicking the chip opens the viewer in a new tab.
    const [viewer] = await Promise.all([suite.context.waitForEvent('page'), message.locator('a.yj-cite').nth(n).click()]);
    const viewerErrors = trackPageErrors(viewer);
    await viewer.waitForLoadState('domcontentloaded');
    expect(new URL(viewer.url()).pathname).toBe(`/documents/${chosen.docId}`);
    const doc = await served(chosen.docId);
    await expectMarks(viewer, doc, chosen.spans);
    for (const [a, b] of chosen.spans)
      expect(done.citations.some((c) => c.docId === doc.id && c.start === a && c.end === b && c.text === doc.text.slice(a, b))).toBe(true);

    const marks = viewer.locator('#yj-text mark');
    const status = viewer.locator('#yj-nav [role="status"]');
    const total = chosen.spans.length;
    // The link lists the spans in the answer's order, numbered as the answer cites them; the marks are in text order.
    expect(chosen.numbers).toHaveLength(total);
    expect([...chosen.numbers].sort((a, b) => a - b)).toEqual(chosen.numbers);
    const inText = [...chosen.spans].sort((a, b) => a[0] - b[0]);
    const position = (i: number) => inText.indexOf(chosen.spans[i]!);
    const expectCurrent = async (i: number) => {
      await viewer.locator(`#yj-text mark:nth-of-type(${position(i) + 1})[aria-current="true"]`).waitFor();
      expect(await currentMark(viewer)).toBe(position(i));
      expect(await viewer.locator('#yj-text mark[aria-current]').count()).toBe(1);
      expect(await status.textContent()).toBe(`出处 [${chosen.numbers[i]}] · 第 ${i + 1} / ${total} 处`);
      await waitInViewport(viewer, marks.nth(position(i)));
    };
    await expectCurrent(chosen.index);
    const png = await screenshot(viewer, 'source-viewer.png');
    expect(readFileSync(png).subarray(0, 8)).toEqual(PNG_SIGNATURE);

    const next = viewer.getByRole('button', { name: '下一处' });
    const prev = viewer.getByRole('button', { name: '上一处' });
    let i = chosen.index;
    // Forward through every mark and round to the first again, then back past the first to the last.
    for (let k = 0; k < total; k++) {
      await next.click();
      i = (i + 1) % total;
      await expectCurrent(i);
    }
    expect(i).toBe(chosen.index);
    for (let k = 0; k <= i; k++) await prev.click();
    await expectCurrent(total - 1);
    expect(viewerErrors).toEqual([]);
  });

  it('a sources-list link opens the same viewer as its chip, on its own span', async () => {
    const { done, message } = await askOnPage('初信初访应该怎么处理？');
    const c = done.citations.at(-1)!;
    const link = message.locator(`.yj-sources li[value="${c.n}"] a`);
    const chipHref = await message
      .locator(`a.yj-cite[data-n="${c.n}"]`)
      .first()
      .evaluate((a) => (a as HTMLAnchorElement).href);
    const href = await link.evaluate((a) => (a as HTMLAnchorElement).href);
    expect(href).toBe(chipHref);
    const t = viewerTarget(href);
    expect(t.spans[t.index]).toEqual([c.start, c.end]);

    // The sources are collapsed under their summary: opened first, as a reader does.
    await message.locator('.yj-sources summary').click();
    const [viewer] = await Promise.all([suite.context.waitForEvent('page'), link.click()]);
    const doc = await served(c.docId);
    await expectMarks(viewer, doc, t.spans);
    await viewer.locator('#yj-text mark[aria-current="true"]').waitFor();
    expect(await currentMark(viewer)).toBe(t.index);
    expect(await viewer.locator('#yj-text mark[aria-current="true"]').textContent()).toBe(c.text);
    await waitInViewport(viewer, viewer.locator('#yj-text mark[aria-current="true"]'));
  });

  it("the speech's numbered heading lines are shown as headings, the text and its offsets unchanged", async () => {
    const doc = await served('002_748bcc23fd16065f');
    const headings = doc.text.split('\n').filter((l) => /^[一二三四五六七八九十]+、/u.test(l));
    expect(headings.length).toBeGreaterThan(1);
    // A span that starts in the text before a heading and ends inside it is still marked exactly.
    const h = doc.text.indexOf(headings[1]!);
    await page.goto(`${server.url}/documents/${doc.id}#c=${h - 10}-${h + 4},${h + 30}-${h + 60}`);
    await expectMarks(page, doc, [
      [h - 10, h + 4],
      [h + 30, h + 60],
    ]);
    // (The heading a mark cuts into is split in two at the mark's end.)
    expect((await page.locator('#yj-text .yj-heading').allTextContents()).join('')).toBe(headings.join(''));
    expect(await page.locator('#yj-text .yj-heading').first().textContent()).toBe(headings[0]);
    const weight = await page
      .locator('#yj-text .yj-heading')
      .first()
      .evaluate((e) => getComputedStyle(e).fontWeight);
    expect(Number(weight)).toBeGreaterThanOrEqual(600);
  });

  it('overlapping spans are merged into one mark, and i still starts on the cited span', async () => {
    const doc = await served('001_0ef072b5e6e0e6d4');
    // Spans 0 and 1 overlap; i=2 is the third span, 100-120.
    await page.goto(`${server.url}/documents/${doc.id}#c=10-50,30-80,100-120,200-220&i=2`);
    await page.locator('#yj-text mark').first().waitFor();
    expect(await page.locator('#yj-text').textContent()).toBe(doc.text);
    expect(await page.locator('#yj-text mark').allTextContents()).toEqual([doc.text.slice(10, 80), doc.text.slice(100, 120), doc.text.slice(200, 220)]);
    await page.locator('#yj-text mark[aria-current="true"]').waitFor();
    expect(await page.locator('#yj-text mark[aria-current="true"]').textContent(), 'the current mark is not the span i points at').toBe(
      doc.text.slice(100, 120),
    );
    expect(await page.locator('#yj-nav [role="status"]').textContent()).toBe('第 2 / 3 处');
  });

  it('a changed hash re-marks the text; spans outside the text are ignored; an unknown document is a 404 page', async () => {
    const doc = await served('001_0ef072b5e6e0e6d4');
    const far = doc.text.length - 20;
    await page.goto(`${server.url}/documents/${doc.id}#c=10-30`);
    await expectMarks(page, doc, [[10, 30]]);
    expect(await page.locator('#yj-nav [role="status"]').textContent()).toBe('第 1 / 1 处');
    expect(await page.locator('#yj-nav button').count()).toBe(0);

    // i counts in the link's order (the answer's), not the text's: here the second listed is the first in the text.
    await page.evaluate((h) => (location.hash = h), `#c=${far}-${far + 10},40-60&n=2,5&i=1`);
    await page.locator('#yj-nav button').first().waitFor();
    await expectMarks(page, doc, [
      [40, 60],
      [far, far + 10],
    ]);
    await page.locator('#yj-text mark:nth-of-type(1)[aria-current="true"]').waitFor();
    expect(await page.locator('#yj-nav [role="status"]').textContent()).toBe('出处 [5] · 第 2 / 2 处');
    await page.getByRole('button', { name: '下一处' }).click();
    await page.locator('#yj-text mark:nth-of-type(2)[aria-current="true"]').waitFor();
    expect(await page.locator('#yj-nav [role="status"]').textContent()).toBe('出处 [2] · 第 1 / 2 处');
    await waitInViewport(page, page.locator('#yj-text mark').nth(1));

    // Out-of-range, reversed and malformed spans mark nothing (and leave the text whole).
    await page.evaluate((h) => (location.hash = h), `#c=${doc.text.length + 5}-${doc.text.length + 9},30-20,a-b`);
    await page.locator('#yj-text mark').first().waitFor({ state: 'detached' });
    expect(await page.locator('#yj-text').textContent()).toBe(doc.text);
    expect(await page.locator('#yj-nav').textContent()).toBe('');

    const missing = await page.goto(`${server.url}/documents/no_such_doc`);
    expect(missing?.status()).toBe(404);
    expect(await page.locator('body').textContent()).toContain('找不到这篇讲话');
    expect(await page.locator('a[href="/"]').count()).toBe(1);
  });
  it('keeps a header with the speech and its identity on screen, tells the current passage from the focus ring, and copies it as a citation', async () => {
    const doc = await served('001_0ef072b5e6e0e6d4');
    await suite.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const far = doc.text.length - 40;
    await page.goto(`${server.url}/documents/${doc.id}#c=${far}-${far + 20}&n=3&i=0`);
    const current = page.locator('#yj-text mark[aria-current="true"]');
    await current.waitFor();
    await waitInViewport(page, current);
    // Scrolled far down, the header with the title and the speech's identity is still at the top of the screen.
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(200);
    const head = (await page.locator('h1').boundingBox())!;
    expect(head.y).toBeGreaterThanOrEqual(0);
    expect(head.y).toBeLessThan(120);
    const identity = await page.locator('.yj-identity').textContent();
    expect(identity).toContain('市级');
    // The current passage is marked by an underline, the focus ring is not used for it.
    const look = await current.evaluate((m) => ({ outline: getComputedStyle(m).outlineStyle, shadow: getComputedStyle(m).boxShadow }));
    expect(look.outline).toBe('none');
    expect(look.shadow).not.toBe('none');
    // 复制引用: the copy-ready reference and the exact cited words.
    await page.locator('#yj-copy-cite').click();
    await page.locator('#yj-copy-status', { hasText: '已复制' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(`${await page.locator('#yj-text').getAttribute('data-cite')}：“${doc.text.slice(far, far + 20)}”`);
    expect(copied.startsWith('据《')).toBe(true);
  });

  it('← 返回问答 in a tab the chat opened closes it, back to the conversation', async () => {
    const { message } = await askOnPage('初信初访应该怎么处理？');
    const [viewer] = await Promise.all([suite.context.waitForEvent('page'), message.locator('a.yj-cite').first().click()]);
    await viewer.locator('#yj-text mark').first().waitFor();
    const closed = viewer.waitForEvent('close');
    // The click closes the page under it: a click that fails only because the page is gone has done its work.
    await viewer
      .locator('#yj-back')
      .click({ noWaitAfter: true })
      .catch((err: unknown) => {
        if (!viewer.isClosed()) throw err;
      });
    await closed;
    expect(viewer.isClosed()).toBe(true);
    // The conversation is where it was.
    expect(await message.locator('.yj-body').count()).toBe(1);
  });

  it('← 返回问答 in a tab opened from a bookmark or a typed address (no referrer) goes to the chat page', async () => {
    await page.goto(`${server.url}/documents/001_0ef072b5e6e0e6d4#c=10-30`);
    await page.locator('#yj-text mark').first().waitFor();
    await page.locator('#yj-back').click();
    await page.waitForURL(`${server.url}/`);
    expect(page.isClosed()).toBe(false);
  });

  it('← 返回问答 in the same tab goes back to the conversation it came from', async () => {
    const { message } = await askOnPage('初信初访应该怎么处理？');
    const href = await message
      .locator('a.yj-cite')
      .first()
      .evaluate((a) => (a as HTMLAnchorElement).href);
    expect(new URL(href).hash).toContain('via=chat');
    await page.evaluate((h) => (location.href = h), href);
    await page.locator('#yj-text mark').first().waitFor();
    expect(await page.evaluate(() => history.length)).toBeGreaterThan(1);
    await page.locator('#yj-back').click();
    await page.waitForURL(`${server.url}/`);
    // Back in history, with the conversation (kept by the page) on screen.
    await page.locator('article.yj-bot .yj-actions').first().waitFor();
    expect(await page.locator('.yj-msg.yj-user').allTextContents()).toEqual(['初信初访应该怎么处理？']);
  });
});

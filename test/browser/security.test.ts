/**
 * Cross-site scripting in a real Chromium: markup and javascript: links in a
 * question, and in a speech of the corpus (quoted in answers, sources, the
 * popover and the source viewer), stay text — on the chat page (which has a CSP)
 * and in the widget on a host page without one (where an injected handler would run).
 *
 * Security tests live in three files, one per layer (test/README.md, "Security tests"):
 * - test/http/security.test.ts: the rules, one example each, through app.request();
 * - test/reliability/security.test.ts: the same rules as fast-check properties against a real server on loopback;
 * - test/browser/security.test.ts: what a page does with hostile text, in Chromium.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyCorpus, makeTempDir } from '../helpers/corpus.js';
import {
  finishedAnswer,
  hostPageHtml,
  nextChat,
  trackPageErrors,
  useBrowserSuite,
  viewerTarget,
  type Answer,
  type HostServer,
  type YijuServer,
} from '../helpers/browser.js';

// Functions given to page.evaluate() and friends run in Chromium. The project's tsconfig has no DOM
// library (and must not get one: it checks the Node code), so the browser globals they use are declared
// here, loosely, for this file only.
declare const document: any, window: any;
type HTMLAnchorElement = any;

const IMG = '<img src=x onerror=window.__xss=3>';
const LINK = '[网上信访入口](javascript:window.__xss=4)';
const SCRIPT = '<script>window.__xss=6</script>';
const SVG = '"><svg onload=window.__xss=7>';
const TITLE = '信访接待大厅建设专题会议讲话<img src=x onerror=window.__xss=5>';
const XSS_DOC = `---
title: "${TITLE}"
---
同志们：
今天召开信访接待大厅建设专题会议，研究信访接待大厅的改造和管理。
信访接待大厅要设置电子显示屏${IMG}，公开信访事项办理流程和来访登记须知。
信访接待大厅的网上办理入口要醒目，群众可以点击${LINK}查询信访事项办理进度。
信访接待大厅要安排专人值守叫号系统${SCRIPT}，做到来访群众随到随接、件件有回音。
信访接待大厅的意见簿要每天查看${SVG}，对群众反映的问题要及时回复。
`;
const XSS_ID = '999_xss';
const QUESTION = '信访接待大厅的电子显示屏和网上办理入口有什么要求？';
const PAYLOADS = [IMG, LINK, SCRIPT, SVG];

const suite = useBrowserSuite();
let server: YijuServer;
let host: HostServer;
let page: Page;

beforeAll(async () => {
  const tmp = makeTempDir('yiju-browser-xss-corpus-');
  suite.teardown(tmp.cleanup);
  const corpus = copyCorpus(tmp.dir, ['000', '001', '002', '003', '004']);
  writeFileSync(join(corpus, `${XSS_ID}.txt`), XSS_DOC);
  const yiju = await suite.yiju('yiju-browser-xss-', { corpusDir: corpus });
  host = await suite.hostServer();
  server = await suite.serve(yiju.rt, { corsOrigins: [host.origin] });
  // No CSP on the host page, and a canary proving inline handlers run here.
  host.page('/widget.html', hostPageHtml(server.url, { open: 'true' }, { body: '<img id="canary" src="data:," onerror="window.__canary=1" alt="">' }));
}, 240_000);

async function openPage(url: string): Promise<Page> {
  page = await suite.open(url, { viewport: { width: 1280, height: 800 } });
  return page;
}

const xss = () => page.evaluate(() => (window as { __xss?: unknown }).__xss);

/** No element that could run code or load something, and no javascript: link, anywhere under `root`. */
async function expectInert(root: Locator) {
  expect(await root.locator('img, script, iframe, object, embed, style, form, input:not([type=hidden])').count()).toBe(0);
  // The only SVG is the UI's own line icons on the rating buttons: paths in a group, nothing else.
  const svgs = await root.locator('svg').evaluateAll((els) =>
    els.map((e) => ({
      inRating: !!e.closest('.yj-actions button.yj-up, .yj-actions button.yj-down'),
      parts: [...e.querySelectorAll('*')].map((x) => x.tagName.toLowerCase()).filter((t) => t !== 'g' && t !== 'path'),
    })),
  );
  for (const svg of svgs) expect(svg).toEqual({ inRating: true, parts: [] });
  const protocols = await root
    .locator('[href], [src], [action], [formaction], [xlink\\:href]')
    .evaluateAll((els) =>
      els.flatMap((e) =>
        ['href', 'src', 'action', 'formaction', 'xlink:href']
          .filter((a) => e.hasAttribute(a))
          .map((a) => `${a}=${new URL(e.getAttribute(a)!, document.baseURI).protocol}`),
      ),
    );
  for (const p of protocols) expect(p, 'a URL other than http(s)').toMatch(/^(?:href|src|action|formaction|xlink:href)=https?:$/u);
  const handlers = await root.evaluate((r) =>
    [...r.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith('on')),
  );
  expect(handlers).toEqual([]);
}

async function ask(scope: Page | Locator, question: string): Promise<{ done: Answer; message: Locator }> {
  const before = await scope.locator('article.yj-bot').count();
  const chat = nextChat(page);
  await scope.locator('textarea').fill(question);
  await scope.locator('textarea').press('Enter');
  const { done } = await chat();
  const message = await finishedAnswer(scope, before);
  await message.locator('.yj-actions').waitFor();
  return { done, message };
}

describe('a question with markup and a javascript: link', () => {
  const question = `信访<img src=x onerror="window.__xss=1"> [click](javascript:window.__xss=2) 怎么处理？`;

  it('is shown as text on the chat page', async () => {
    await openPage(`${server.url}/`);
    await ask(page, question);
    expect(await page.locator('.yj-msg.yj-user').textContent()).toBe(question);
    await expectInert(page.locator('.yj-log'));
    expect(await xss()).toBeUndefined();
  });

  it('is shown as text in the widget on a host page without a CSP', async () => {
    await openPage(host.url('/widget.html'));
    await page.waitForFunction(() => (window as { __canary?: number }).__canary === 1);
    const widget = page.locator('yiju-widget');
    await widget.locator('.yj-panel').waitFor({ state: 'visible' });
    await widget.locator('.yj-panel textarea').waitFor(); // the chat code loads on first open
    await ask(widget, question);
    expect(await widget.locator('.yj-msg.yj-user').textContent()).toBe(question);
    await expectInert(widget.locator('.yj-log'));
    expect(await xss()).toBeUndefined();
  });
});

describe('a speech containing markup and a javascript: link', () => {
  it('is retrieved and quoted as text: the answer is inert, the sources and popover show the payload as text', async () => {
    await openPage(`${server.url}/`);
    const { done, message } = await ask(page, QUESTION);
    const mine = done.citations.filter((c) => c.docId === XSS_ID);
    expect(mine.length, 'the question should retrieve the planted speech').toBeGreaterThan(0);
    const quoted = mine.map((c) => c.text).join('');
    const shown = PAYLOADS.filter((p) => quoted.includes(p));
    expect(shown.length, 'the cited passages should carry payloads').toBeGreaterThan(0);

    await expectInert(page.locator('.yj-log'));
    expect(await xss()).toBeUndefined();
    // The sources list names the speech (a title full of markup) as text; the quotes are in the answer, not repeated.
    for (const c of mine) {
      const li = message.locator(`.yj-sources li[value="${c.n}"]`);
      expect(await li.locator('a').textContent()).toBe(TITLE);
      expect(await li.locator('q').count()).toBe(0);
    }

    // The popover too.
    const c = mine[0]!;
    await message.locator(`a.yj-cite[data-n="${c.n}"]`).first().hover();
    const pop = page.locator('.yj-pop');
    await pop.waitFor({ state: 'visible' });
    expect(await pop.locator('strong').textContent()).toBe(TITLE);
    expect(await pop.locator('span').textContent()).toBe(`“${c.text}”`);
    await expectInert(pop);
    expect(await xss()).toBeUndefined();
  });

  it('is inert in the widget on a host page without a CSP', async () => {
    await openPage(host.url('/widget.html'));
    await page.waitForFunction(() => (window as { __canary?: number }).__canary === 1);
    const widget = page.locator('yiju-widget');
    await widget.locator('.yj-panel').waitFor({ state: 'visible' });
    await widget.locator('.yj-panel textarea').waitFor(); // the chat code loads on first open
    const { done, message } = await ask(widget, QUESTION);
    const mine = done.citations.filter((c) => c.docId === XSS_ID);
    expect(mine.length).toBeGreaterThan(0);
    await expectInert(widget.locator('.yj-log'));
    const c = mine[0]!;
    expect(await message.locator(`.yj-sources li[value="${c.n}"] a`).textContent()).toBe(TITLE);
    await message.locator(`a.yj-cite[data-n="${c.n}"]`).first().hover();
    await widget.locator('.yj-pop').waitFor({ state: 'visible' });
    await expectInert(widget.locator('.yj-pop'));
    // Whatever an injected handler would have done has had its chance: the canary ran, the payloads did not.
    expect(await xss()).toBeUndefined();
  });

  it('the source viewer shows the speech with its markup as text', async () => {
    await openPage(`${server.url}/`);
    const { message } = await ask(page, QUESTION);
    const href = await message
      .locator('.yj-sources li a', { hasText: TITLE })
      .first()
      .evaluate((a) => (a as HTMLAnchorElement).href);
    const target = viewerTarget(href);
    expect(target.docId).toBe(XSS_ID);
    const doc = (await (await fetch(`${server.url}/api/documents/${XSS_ID}`)).json()) as { text: string; title: string };
    for (const p of PAYLOADS) expect(doc.text).toContain(p);

    const viewer = await suite.context.newPage();
    const viewerErrors = trackPageErrors(viewer);
    await viewer.goto(href);
    await viewer.locator('#yj-text mark').first().waitFor();
    expect(await viewer.locator('#yj-text').textContent()).toBe(doc.text);
    expect(await viewer.locator('h1').textContent()).toBe(TITLE);
    expect(await viewer.title()).toBe(`${TITLE} · 依据`);
    for (const p of PAYLOADS) expect(await viewer.locator('#yj-text').textContent()).toContain(p);
    const inText = [...target.spans].sort((x, y) => x[0] - y[0]);
    expect(await viewer.locator('#yj-text mark').allTextContents()).toEqual(inText.map(([a, b]) => doc.text.slice(a, b)));
    await expectInert(viewer.locator('header.yj-vhead'));
    await expectInert(viewer.locator('main.yj-doc'));
    expect(await viewer.locator('body img, body svg, body iframe').count()).toBe(0);
    // Only the viewer's own script.
    expect(await viewer.locator('script').evaluateAll((ss) => ss.map((s) => s.getAttribute('src')))).toEqual(['/assets/viewer.js']);
    expect(await viewer.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(viewerErrors).toEqual([]);
  });
});

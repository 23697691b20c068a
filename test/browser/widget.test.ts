/**
 * The <yiju-widget> embed in a real Chromium: a third-party page on another
 * origin (http://localhost:<port>) loads http://127.0.0.1:<yiju port>/widget.js
 * with data-* options and talks to the Yiju API across origins (CORS + API key).
 */
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  animationsDone,
  finishedAnswer,
  focused,
  hostPageHtml,
  nextChat,
  PNG_SIGNATURE,
  pressUntil,
  screenshot,
  useBrowserSuite,
  viewerTarget,
  waitQuestionInView,
  type HostServer,
  type YijuServer,
} from '../helpers/browser.js';

// Functions given to page.evaluate() and friends run in Chromium. The project's tsconfig has no DOM
// library (and must not get one: it checks the Node code), so the browser globals they use are declared
// here, loosely, for this file only.
declare const document: any, window: any, getComputedStyle: any;
type HTMLAnchorElement = any;

const OPTIONS = {
  key: 'pk_demo',
  title: '信访问答',
  color: '#0a5',
  position: 'left',
  greeting: '你好',
  examples: '初信初访应该怎么处理？|谁对信访工作负总责？',
};

const suite = useBrowserSuite();
let host: HostServer;
/** CORS allows the host page's origin; the API needs pk_demo. */
let api: YijuServer;
/** CORS allows some other origin only. */
let otherOrigin: YijuServer;
/** No keys, no CORS: for its own /demo page. */
let open: YijuServer;

beforeAll(async () => {
  const yiju = await suite.yiju('yiju-browser-widget-');
  host = await suite.hostServer();
  api = await suite.serve(yiju.rt, { corsOrigins: [host.origin], apiKeys: ['pk_demo'] });
  otherOrigin = await suite.serve(yiju.rt, { corsOrigins: ['http://allowed.example'], apiKeys: ['pk_demo'] });
  open = await suite.serve(yiju.rt);
  host.page('/widget.html', hostPageHtml(api.url, OPTIONS));
  host.page('/wrong-key.html', hostPageHtml(api.url, { ...OPTIONS, key: 'pk_wrong' }));
  host.page('/other-origin.html', hostPageHtml(otherOrigin.url, OPTIONS));
  host.page('/root-10px.html', hostPageHtml(api.url, OPTIONS, { head: '<style>html { font-size: 62.5% }</style>' }));
  host.page('/timeout.html', hostPageHtml(api.url, { ...OPTIONS, timeout: '1' }));
  // An old fixed-width site: its layout is 960 px wide whatever the screen.
  host.page(
    '/wide.html',
    hostPageHtml(api.url, { ...OPTIONS, position: 'right' }, { body: '<div style="width:960px;height:1200px">固定宽度的旧网站版面</div>' }),
  );
  host.page(
    '/hostile.html',
    hostPageHtml(api.url, OPTIONS, {
      head: '<style>* { color: red !important; font-size: 40px !important; line-height: 3 !important } button { display: none !important } div, p, ul, li { margin: 50px !important; padding: 30px !important }</style>',
      body: '<p><button type="button" id="host-button">宿主按钮</button></p><div><textarea></textarea></div>',
    }),
  );
}, 180_000);

interface VisitOptions {
  viewport?: { width: number; height: number };
  mobile?: boolean;
  colorScheme?: 'light' | 'dark';
  reducedMotion?: 'reduce' | 'no-preference';
}

async function visit(
  url: string,
  { viewport = { width: 1280, height: 800 }, mobile = false, colorScheme = 'light', reducedMotion = 'no-preference' }: VisitOptions = {},
): Promise<Page> {
  const page = await suite.open(url, { viewport, colorScheme, reducedMotion, ...(mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) });
  await page.locator('yiju-widget .yj-launcher').waitFor();
  return page;
}

const launcher = (page: Page) => page.locator('yiju-widget .yj-launcher');
const panel = (page: Page) => page.locator('yiju-widget .yj-panel');

/** The widget's error line for the first answer, and the message it sits in. */
async function firstFailure(page: Page): Promise<{ message: Locator; error: Locator }> {
  const message = await finishedAnswer(page.locator('yiju-widget'), 0);
  const error = message.locator('.yj-error');
  await error.waitFor();
  return { message, error };
}

describe('the widget on another origin', () => {
  it('takes its data-* options, asks across origins with the API key, and shows the answer with citations', async () => {
    const page = await visit(host.url('/widget.html'));
    const widget = page.locator('yiju-widget');
    expect(await widget.getAttribute('data-position')).toBe('left');
    expect(await widget.getAttribute('data-api')).toBe(api.url);
    expect(await launcher(page).getAttribute('aria-label')).toBe('信访问答');
    expect(await launcher(page).getAttribute('aria-expanded')).toBe('false');
    expect(await launcher(page).evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(0, 170, 85)');
    // Left, not right: the launcher and then the panel sit 20px from the left edge.
    const lb = (await launcher(page).boundingBox())!;
    expect(lb.x).toBeCloseTo(20, 0);
    expect(lb.y + lb.height).toBeCloseTo(800 - 20, 0);
    expect(await panel(page).isVisible()).toBe(false);

    await launcher(page).click();
    await panel(page).waitFor({ state: 'visible' });
    await panel(page).locator('textarea').waitFor(); // the chat code loads on first open
    await animationsDone(panel(page));
    expect(await launcher(page).getAttribute('aria-expanded')).toBe('true');
    // Bottom-left, above the launcher: 400px wide plus its 1px border.
    const pb = (await panel(page).boundingBox())!;
    expect(pb.x).toBeCloseTo(20, 0);
    expect(pb.width).toBeCloseTo(402, 0);
    expect(pb.y + pb.height).toBeCloseTo(800 - 88, 0);
    expect(await panel(page).getAttribute('role')).toBe('dialog');
    expect(await panel(page).locator('.yj-title').textContent()).toBe('信访问答');
    expect(await panel(page).locator('.yj-empty p').first().textContent()).toBe('你好');
    expect(await panel(page).locator('button.yj-example').allTextContents()).toEqual(['初信初访应该怎么处理？', '谁对信访工作负总责？']);
    expect(await focused(page)).toMatchObject({ id: 'yj-q', hosts: ['yiju-widget'] });

    const chat = nextChat(page);
    await panel(page).locator('button.yj-example').first().click();
    const { request, body, done } = await chat();
    expect(new URL(request.url()).origin).toBe(api.url);
    expect(await request.headerValue('authorization')).toBe('Bearer pk_demo');
    expect(body).toEqual({ question: '初信初访应该怎么处理？', history: [] });
    const message = await finishedAnswer(page.locator('yiju-widget'), 0);
    await message.locator('.yj-actions').waitFor();
    expect(done.grounded).toBe(true);
    expect(await message.locator('.yj-body').textContent()).toContain('初信初访');
    const chips = message.locator('a.yj-cite');
    expect(await chips.count()).toBeGreaterThan(0);
    expect(await message.locator('.yj-sources li').count()).toBe(done.citations.length);
    expect(await message.locator('.yj-badge').textContent()).toBe('离线摘录模式');
    // Citation links go to the Yiju host's viewer, not to the host page's origin.
    for (const href of await chips.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))) {
      expect(new URL(href).origin).toBe(api.url);
      expect(done.citations.some((c) => c.docId === viewerTarget(href).docId)).toBe(true);
    }
    // The popover works inside the shadow root.
    await chips.first().hover();
    const pop = page.locator('yiju-widget .yj-pop');
    await pop.waitFor({ state: 'visible' });
    expect(await pop.locator('span').textContent()).toBe(`“${done.citations[0]!.text}”`);

    // The API saw one chat request with the key, from the host page's origin.
    const line = api.logger.records.filter((r) => r.msg === 'request' && r.path === '/api/chat').at(-1);
    expect(line).toMatchObject({ method: 'POST', status: 200 });

    const png = await screenshot(page, 'widget-desktop.png');
    expect(readFileSync(png).subarray(0, 8)).toEqual(PNG_SIGNATURE);

    // A chip opens the source viewer on the Yiju host, a public page although the API needs a key.
    const [viewer] = await Promise.all([suite.context.waitForEvent('page'), chips.first().click()]);
    await viewer.locator('#yj-text mark[aria-current="true"]').waitFor();
    expect(new URL(viewer.url()).origin).toBe(api.url);
    const first = viewerTarget(viewer.url());
    const current = await viewer.locator('#yj-text mark[aria-current="true"]').textContent();
    expect(done.citations.some((c) => c.docId === first.docId && c.text === current)).toBe(true);
  });

  it('data-color colours the panel too (send button, question bubble, chips), not only the launcher', async () => {
    const page = await visit(host.url('/widget.html'));
    await launcher(page).click();
    const chat = nextChat(page);
    await panel(page).locator('button.yj-example').nth(1).click();
    await chat();
    const message = await finishedAnswer(page.locator('yiju-widget'), 0);
    await message.locator('.yj-actions').waitFor();
    const green = 'rgb(0, 170, 85)';
    expect(await launcher(page).evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(green);
    const colours = {
      send: await panel(page)
        .locator('.yj-send')
        .evaluate((e) => getComputedStyle(e).backgroundColor),
      question: await panel(page)
        .locator('.yj-msg.yj-user')
        .evaluate((e) => getComputedStyle(e).backgroundColor),
      chip: await message
        .locator('a.yj-cite')
        .first()
        .evaluate((e) => getComputedStyle(e).backgroundColor),
    };
    expect(colours).toEqual({ send: green, question: green, chip: green });
  });

  it('follows dark mode, reduced motion and data-lang="en"', async () => {
    const url = host.page('/english.html', hostPageHtml(api.url, { key: 'pk_demo', lang: 'en', examples: '谁对信访工作负总责？' }));
    const page = await visit(url, { colorScheme: 'dark', reducedMotion: 'reduce' });
    expect(await launcher(page).getAttribute('aria-label')).toBe('Open Q&A');
    await launcher(page).click();
    await panel(page).waitFor({ state: 'visible' });
    await panel(page).locator('textarea').waitFor(); // the chat code loads on first open
    // Reduced motion: no slide-in, and the log does not scroll smoothly.
    expect(await panel(page).evaluate((p) => p.getAnimations().length)).toBe(0);
    expect(
      await panel(page)
        .locator('.yj-log')
        .evaluate((e) => getComputedStyle(e).scrollBehavior),
    ).toBe('auto');
    // Dark mode: the panel's own dark colours on the host's light page.
    const root = await panel(page)
      .locator('.yj-root')
      .evaluate((e) => ({ bg: getComputedStyle(e).backgroundColor, fg: getComputedStyle(e).color }));
    expect(root).toEqual({ bg: 'rgb(23, 24, 26)', fg: 'rgb(236, 236, 236)' });
    // English strings.
    expect(await panel(page).locator('.yj-title').textContent()).toBe('Yiju · petition-work Q&A');
    expect(await panel(page).locator('.yj-empty p').first().textContent()).toBe(
      'Hello! I answer questions about petition work from officials’ speeches, citing every source.',
    );
    expect(await panel(page).locator('textarea').getAttribute('placeholder')).toBe('Ask a question');
    expect(await panel(page).locator('.yj-send').textContent()).toBe('Send');
    const chat = nextChat(page);
    await panel(page).locator('button.yj-example').first().click();
    const { done } = await chat();
    const message = await finishedAnswer(page.locator('yiju-widget'), 0);
    await message.locator('.yj-actions').waitFor();
    expect(done.grounded).toBe(true);
    expect(await message.locator('.yj-badge').textContent()).toBe('Offline quotes');
    expect(await message.locator('.yj-sources summary').textContent()).toBe(`Sources (${done.citations.length})`);
    expect(await message.locator('button.yj-up').getAttribute('aria-label')).toBe('Helpful');
  });

  it('keyboard only: Tab reaches the launcher, Enter opens with the cursor in the box, Enter asks, Esc closes and focus returns to the launcher', async () => {
    const page = await visit(host.url('/widget.html'));
    const path = await pressUntil(page, 'Tab', (f) => f?.cls === 'yj-launcher', 10);
    expect(path.at(-1)?.hosts).toEqual(['yiju-widget']);
    expect(path.some((f) => f?.id === 'host-link')).toBe(true);

    await page.keyboard.press('Enter');
    await panel(page).waitFor({ state: 'visible' });
    await panel(page).locator('textarea').waitFor(); // the chat code loads on first open
    // The chat code loads on first open; the cursor lands in the box as soon as it is there.
    await page.locator('yiju-widget textarea:focus').waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'textarea', id: 'yj-q', hosts: ['yiju-widget'] });

    const chat = nextChat(page);
    await page.keyboard.type('谁对信访工作负总责？');
    await page.keyboard.press('Enter');
    const { done } = await chat();
    const message = await finishedAnswer(page.locator('yiju-widget'), 0);
    await message.locator('.yj-actions').waitFor();
    expect(done.grounded).toBe(true);
    expect(await message.locator('a.yj-cite').count()).toBeGreaterThan(0);

    // Shift+Tab from the box walks back through the answer's chips.
    const back = await pressUntil(page, 'Shift+Tab', (f) => f?.cls === 'yj-cite', 12);
    expect(back.at(-1)).toMatchObject({ cls: 'yj-cite', hosts: ['yiju-widget'] });
    await pressUntil(page, 'Tab', (f) => f?.id === 'yj-q', 20);
    // Tab moves on inside the panel (to the send button), then to the launcher, now the close button — not to the
    // host page; Esc from there closes it.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ cls: 'yj-send', hosts: ['yiju-widget'] });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ cls: 'yj-launcher', hosts: ['yiju-widget'] });
    expect(await launcher(page).getAttribute('aria-label')).toBe('关闭');
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toMatchObject({ cls: 'yj-send', hosts: ['yiju-widget'] });
    // (A chip's popover hides a moment after the chip loses focus; while it shows, Esc dismisses it first.)
    await panel(page).locator('.yj-pop').waitFor({ state: 'hidden' });
    await page.keyboard.press('Escape');
    await panel(page).waitFor({ state: 'hidden' });
    expect(await launcher(page).getAttribute('aria-expanded')).toBe('false');
    expect(await focused(page)).toMatchObject({ cls: 'yj-launcher', hosts: ['yiju-widget'] });
    expect(await page.evaluate(() => document.activeElement?.tagName.toLowerCase())).toBe('yiju-widget');

    // Enter opens it again with the conversation kept.
    await page.keyboard.press('Enter');
    await panel(page).waitFor({ state: 'visible' });
    await panel(page).locator('textarea').waitFor(); // the chat code loads on first open
    expect(await focused(page)).toMatchObject({ id: 'yj-q', hosts: ['yiju-widget'] });
    expect(await panel(page).locator('article.yj-bot').count()).toBe(1);
  });

  it('with a wrong data-key it says in words that the key is invalid, with a retry button that asks again', async () => {
    const page = await visit(host.url('/wrong-key.html'));
    await launcher(page).click();
    const chat = page.waitForResponse((r) => r.url() === `${api.url}/api/chat` && r.request().method() === 'POST');
    await panel(page).locator('button.yj-example').first().click();
    expect((await chat).status()).toBe(401);
    const { message, error } = await firstFailure(page);
    expect(await error.locator('span').textContent()).toBe('API 密钥无效，无法提问。');
    expect(await error.getAttribute('role')).toBe('alert');
    const retry = error.locator('button.yj-retry');
    expect(await retry.textContent()).toBe('重试');
    expect((await message.textContent())!.trim().length).toBeGreaterThan(0);
    expect(await message.locator('.yj-body').textContent()).toBe('');

    const again = page.waitForResponse((r) => r.url() === `${api.url}/api/chat` && r.request().method() === 'POST');
    await retry.click();
    expect((await again).status()).toBe(401);
    const second = await firstFailure(page);
    expect(await second.error.locator('span').textContent()).toBe('API 密钥无效，无法提问。');
    // The retry replaced the failed exchange: one question, one answer.
    expect(await panel(page).locator('.yj-msg.yj-user').count()).toBe(1);
    expect(await panel(page).locator('article.yj-bot').count()).toBe(1);
  });

  it('a server that does not reply within data-timeout is said in words with a retry, which asks again', async () => {
    const page = await visit(host.url('/timeout.html'));
    await page.route('**/api/chat', () => undefined); // the request hangs: no response, no byte
    await launcher(page).click();
    await panel(page).locator('textarea').fill('初信初访应该怎么处理？');
    await panel(page).locator('textarea').press('Enter');
    const { error } = await firstFailure(page);
    expect(await error.textContent()).toContain('服务器 1 秒没有回应，回答没有完成。');
    expect(await panel(page).locator('.yj-stop').isVisible()).toBe(false);
    await page.unroute('**/api/chat');
    const chat = nextChat(page);
    await error.locator('button.yj-retry').click();
    const { done } = await chat();
    expect(done.grounded).toBe(true);
    const message = await finishedAnswer(page.locator('yiju-widget'), 0);
    await message.locator('.yj-actions').waitFor();
    expect(await panel(page).locator('.yj-error').count()).toBe(0);
  });

  it('when the host origin is not allowed by CORS it shows a network error in words, not a blank box', async () => {
    const page = await visit(host.url('/other-origin.html'));
    await launcher(page).click();
    await panel(page).locator('button.yj-example').first().click();
    const { message, error } = await firstFailure(page);
    expect(await error.locator('span').textContent()).toBe('网络中断，回答没有完成。');
    expect(await error.locator('button.yj-retry').isVisible()).toBe(true);
    expect((await message.textContent())!.trim().length).toBeGreaterThan(0);
    expect(await panel(page).locator('.yj-send').isVisible()).toBe(true);
  });

  it('the host page’s aggressive CSS (red !important text, hidden buttons) does not hide or recolour the widget', async () => {
    const page = await visit(host.url('/hostile.html'));
    // The host's rules are in force on the host page…
    expect(await page.locator('#host-button').isVisible()).toBe(false);
    expect(await page.locator('h1').evaluate((e) => getComputedStyle(e).color)).toBe('rgb(255, 0, 0)');
    // …but the launcher is shown, in the widget's colour and size.
    expect(await launcher(page).isVisible()).toBe(true);
    const lb = (await launcher(page).boundingBox())!;
    expect(lb.width).toBeCloseTo(56, 0);
    expect(lb.height).toBeCloseTo(56, 0);
    expect(lb.x).toBeCloseTo(20, 0);
    expect(await launcher(page).evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(0, 170, 85)');
    expect(await launcher(page).evaluate((b) => getComputedStyle(b).color)).toBe('rgb(255, 255, 255)');

    await launcher(page).click();
    await panel(page).waitFor({ state: 'visible' });
    await panel(page).locator('textarea').waitFor(); // the chat code loads on first open
    for (const sel of ['.yj-title', '.yj-empty p', 'button.yj-example', 'textarea', 'button.yj-new', 'button.yj-send']) {
      const el = panel(page).locator(sel).first();
      expect(await el.isVisible(), sel).toBe(true);
      expect(await el.evaluate((e) => getComputedStyle(e).color), sel).not.toBe('rgb(255, 0, 0)');
    }

    const chat = nextChat(page);
    await panel(page).locator('button.yj-example').nth(1).click();
    const { done } = await chat();
    const message = await finishedAnswer(page.locator('yiju-widget'), 0);
    await message.locator('.yj-actions').waitFor();
    expect(done.grounded).toBe(true);
    expect(await message.locator('.yj-body').evaluate((e) => getComputedStyle(e).color)).not.toBe('rgb(255, 0, 0)');
    expect(await message.locator('a.yj-cite').first().isVisible()).toBe(true);
    expect(await message.locator('button.yj-up').isVisible()).toBe(true);
  });

  it('the host page’s root font size does not resize the widget (its sizes match those on a plain page)', async () => {
    const metrics = async (path: string) => {
      const page = await visit(host.url(path));
      await launcher(page).click();
      await panel(page).waitFor({ state: 'visible' });
      await panel(page).locator('textarea').waitFor(); // the chat code loads on first open
      await animationsDone(panel(page));
      const out: Record<string, string> = {};
      for (const [sel, props] of [
        ['.yj-title', ['font-size']],
        ['.yj-head', ['padding-top', 'padding-left']],
        ['.yj-log', ['padding-top', 'padding-left', 'row-gap']],
        ['.yj-form', ['padding-left', 'column-gap']],
        ['textarea', ['font-size', 'min-height', 'padding-left']],
        ['button.yj-example', ['font-size', 'padding-left']],
      ] as const) {
        const values = await panel(page)
          .locator(sel)
          .first()
          .evaluate((e, ps) => ps.map((p) => getComputedStyle(e).getPropertyValue(p)), [...props]);
        props.forEach((p, i) => (out[`${sel} ${p}`] = values[i]!));
      }
      expect(suite.errors, path).toEqual([]);
      await suite.context.close();
      return out;
    };
    const plain = await metrics('/widget.html');
    // The "62.5%" trick (1rem = 10px) is common on real sites; the hostile page sets 40px on every element.
    expect.soft(await metrics('/root-10px.html'), 'html { font-size: 62.5% }').toEqual(plain);
    expect.soft(await metrics('/hostile.html'), '* { font-size: 40px !important }').toEqual(plain);
  });

  it('on a narrow screen (390×760) the panel fills the screen and the chat works; × closes it', async () => {
    const page = await visit(host.url('/widget.html'), { viewport: { width: 390, height: 760 }, mobile: true });
    await launcher(page).tap();
    await panel(page).waitFor({ state: 'visible' });
    await panel(page).locator('textarea').waitFor(); // the chat code loads on first open
    await animationsDone(panel(page));
    const vp = await page.evaluate(() => ({ w: window.innerWidth, h: window.innerHeight }));
    expect(vp).toEqual({ w: 390, h: 760 });
    const pb = (await panel(page).boundingBox())!;
    expect(pb.x).toBeCloseTo(0, 0);
    expect(pb.y).toBeCloseTo(0, 0);
    expect(pb.width).toBeCloseTo(390, 0);
    expect(pb.height).toBeCloseTo(760, 0);
    // The form is on screen.
    for (const sel of ['textarea', '.yj-send', '.yj-close']) {
      const b = (await panel(page).locator(sel).boundingBox())!;
      expect(b.x, sel).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width, sel).toBeLessThanOrEqual(390);
      expect(b.y + b.height, sel).toBeLessThanOrEqual(760);
    }

    const chat = nextChat(page);
    await panel(page).locator('button.yj-example').first().tap();
    const { done } = await chat();
    const message = await finishedAnswer(page.locator('yiju-widget'), 0);
    await message.locator('.yj-actions').waitFor();
    expect(done.grounded).toBe(true);
    expect(await message.locator('a.yj-cite').count()).toBeGreaterThan(0);
    const scroll = await page.evaluate(() => ({ w: document.documentElement.scrollWidth, c: document.documentElement.clientWidth }));
    expect(scroll.w).toBeLessThanOrEqual(scroll.c);
    await waitQuestionInView(page, panel(page).locator('.yj-log'));
    const png = await screenshot(page, 'widget-mobile.png');
    expect(readFileSync(png).subarray(0, 8)).toEqual(PNG_SIGNATURE);

    await panel(page).locator('.yj-close').tap();
    await panel(page).waitFor({ state: 'hidden' });
    expect(await launcher(page).isVisible()).toBe(true);
  });
});

/** The visual viewport (what the reader sees, in the layout's CSS px) and a box's place against it. */
async function visualViewport(page: Page): Promise<{ x: number; y: number; w: number; h: number; scale: number }> {
  return page.evaluate(() => {
    const vv = window.visualViewport;
    return { x: vv.offsetLeft, y: vv.offsetTop, w: vv.width, h: vv.height, scale: vv.scale };
  });
}
function expectInside(box: { x: number; y: number; width: number; height: number }, vv: { x: number; y: number; w: number; h: number }, what: string): void {
  expect(box.x, what).toBeGreaterThanOrEqual(vv.x - 0.5);
  expect(box.y, what).toBeGreaterThanOrEqual(vv.y - 0.5);
  expect(box.x + box.width, what).toBeLessThanOrEqual(vv.x + vv.w + 0.5);
  expect(box.y + box.height, what).toBeLessThanOrEqual(vv.y + vv.h + 0.5);
}

describe('the launcher and the panel stay on screen', () => {
  it('on a 390 px phone showing a host page 960 px wide, the launcher is in the visible corner and the panel fills what is visible', async () => {
    const page = await visit(host.url('/wide.html'), { viewport: { width: 390, height: 844 }, mobile: true });
    const layout = await page.evaluate(() => ({ w: window.innerWidth, scrollW: document.documentElement.scrollWidth }));
    expect(layout.scrollW).toBeGreaterThan(900); // the host page really is wider than the screen
    const vv = await visualViewport(page);
    const lb = (await launcher(page).boundingBox())!;
    expectInside(lb, vv, 'launcher');
    expect(vv.x + vv.w - (lb.x + lb.width)).toBeCloseTo(20, 0); // bottom-right of what is visible
    expect(vv.y + vv.h - (lb.y + lb.height)).toBeCloseTo(20, 0);
    expect(lb.width * vv.scale).toBeGreaterThanOrEqual(44);

    await launcher(page).tap();
    await panel(page).locator('textarea').waitFor();
    await animationsDone(panel(page));
    const pb = (await panel(page).boundingBox())!;
    expectInside(pb, vv, 'panel');
    expect(pb.width).toBeCloseTo(vv.w, 0);
    expect(pb.height).toBeCloseTo(vv.h, 0);
    const tb = (await panel(page).locator('textarea').boundingBox())!;
    expectInside(tb, vv, 'question box');
    await panel(page).locator('.yj-close').tap();
    await panel(page).waitFor({ state: 'hidden' });
    await screenshot(page, 'widget-wide-host-phone.png');
  });

  it('a page scrolled down keeps the launcher in the corner of the screen', async () => {
    const page = await visit(host.url('/wide.html'), { viewport: { width: 1280, height: 600 } });
    await page.evaluate(() => window.scrollTo(0, 500));
    await page.waitForFunction(() => window.scrollY > 0);
    const vv = await visualViewport(page);
    const lb = (await launcher(page).boundingBox())!;
    expectInside(lb, vv, 'launcher');
    expect(1280 - (lb.x + lb.width)).toBeCloseTo(20, 0);
    // Unzoomed, the widget has no transform (one would make the chip popover's fixed position relative to it).
    expect(await page.locator('yiju-widget').evaluate((e) => getComputedStyle(e).transform)).toBe('none');
  });

  it('the launcher is a chat icon whose name is also its tooltip, and turns into a close button while the panel is open', async () => {
    const page = await visit(host.url('/widget.html'));
    expect(await launcher(page).getAttribute('title')).toBe('信访问答');
    expect(await launcher(page).locator('svg').count()).toBe(1);
    expect(((await launcher(page).textContent()) ?? '').trim()).toBe('');
    await launcher(page).click();
    await panel(page).locator('textarea').waitFor();
    expect(await launcher(page).getAttribute('aria-label')).toBe('关闭');
    expect(await launcher(page).getAttribute('title')).toBe('关闭');
    expect(await launcher(page).getAttribute('aria-expanded')).toBe('true');
    await launcher(page).click();
    await panel(page).waitFor({ state: 'hidden' });
    expect(await launcher(page).getAttribute('aria-label')).toBe('信访问答');
    expect((await focused(page))?.cls).toContain('yj-launcher');
  });

  it('while the panel loads on a slow server, its frame (title, close) and a loading line show at once', async () => {
    const page = await visit(host.url('/widget.html'));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let served!: () => void;
    const continued = new Promise<void>((r) => (served = r));
    await page.route('**/assets/widget-panel.js', async (route) => {
      await held;
      await route.continue();
      served();
    });
    await launcher(page).click();
    const loading = panel(page).locator('.yj-loading[role="status"]');
    await loading.waitFor();
    expect(await loading.textContent()).toBe('正在打开…');
    expect(await panel(page).locator('.yj-head .yj-title').textContent()).toBe('信访问答');
    const lb = (await loading.boundingBox())!;
    const pb = (await panel(page).boundingBox())!;
    expect(lb.y).toBeGreaterThan(pb.y + 40); // under the header, not unstyled text in a corner
    // Its close button works before the chat has loaded.
    await panel(page).locator('.yj-close').click();
    await panel(page).waitFor({ state: 'hidden' });
    release();
    await continued;
    await page.unroute('**/assets/widget-panel.js');
    await launcher(page).click();
    await panel(page).locator('textarea').waitFor();
    expect(await loading.count()).toBe(0);
  });
});

describe('the /demo page (same origin, under its content security policy)', () => {
  it('embeds the widget bottom-right; it loads the example questions and answers', async () => {
    const page = await visit(`${open.url}/demo`);
    const lb = (await launcher(page).boundingBox())!;
    expect(lb.x + lb.width).toBeCloseTo(1280 - 20, 0);
    expect(await launcher(page).getAttribute('aria-label')).toBe('信访工作问答');
    await launcher(page).click();
    const examples = panel(page).locator('button.yj-example');
    await examples.first().waitFor();
    const { questions } = (await (await fetch(`${open.url}/api/suggestions`)).json()) as { questions: string[] };
    expect(await examples.allTextContents()).toEqual(questions.slice(0, 4));
    const chat = nextChat(page);
    await panel(page).locator('textarea').fill('乡镇多久排查一次矛盾纠纷？');
    await panel(page).locator('textarea').press('Enter');
    const { done } = await chat();
    const message = await finishedAnswer(page.locator('yiju-widget'), 0);
    await message.locator('.yj-actions').waitFor();
    expect(done.grounded).toBe(true);
    expect(await message.locator('.yj-body').textContent()).toContain('每半月');
  });
});

describe('the /demo page on a phone', () => {
  it('wraps its code line, so the page is no wider than the screen and the launcher is in the visible corner', async () => {
    const page = await visit(`${open.url}/demo`, { viewport: { width: 390, height: 844 }, mobile: true });
    const scroll = await page.evaluate(() => ({ w: document.documentElement.scrollWidth, c: document.documentElement.clientWidth }));
    expect(scroll.w).toBeLessThanOrEqual(scroll.c);
    const vv = await visualViewport(page);
    expectInside((await launcher(page).boundingBox())!, vv, 'launcher');
  });
});

describe('the panel loads lazily', () => {
  const loadedScripts = (page: Page): Promise<string[]> =>
    page.evaluate(() => (window.performance.getEntriesByType('resource') as { name: string }[]).map((e) => e.name).filter((n: string) => n.endsWith('.js')));

  it('widget.js alone loads no chat code; the panel bundle is fetched on the first open', async () => {
    const page = await visit(host.url('/widget.html'));
    const before = await loadedScripts(page);
    expect(before.some((n) => n.endsWith('/widget.js'))).toBe(true);
    expect(before.some((n) => n.endsWith('/assets/widget-panel.js'))).toBe(false);
    await launcher(page).click();
    await page.locator('yiju-widget textarea').waitFor();
    expect((await loadedScripts(page)).filter((n) => n.endsWith('/assets/widget-panel.js'))).toHaveLength(1);
    expect((await focused(page))?.tag).toBe('textarea');
  });

  it('a panel that cannot load is said in words, and its retry works', async () => {
    const page = await visit(host.url('/widget.html'));
    await page.route('**/assets/widget-panel.js', (route) => route.abort());
    await launcher(page).click();
    const alert = page.locator('yiju-widget .yj-panel [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('网络中断');
    expect(await panel(page).locator('.yj-head .yj-close').count()).toBe(1); // the frame stays, with its close button
    await page.unroute('**/assets/widget-panel.js');
    await alert.locator('button', { hasText: '重试' }).click();
    await page.locator('yiju-widget textarea').waitFor();
    expect(await alert.count()).toBe(0);
    // The browser logs the refused load; that one error is expected here.
    expect(suite.errors.every((e) => /Failed to load resource/u.test(e))).toBe(true);
    suite.errors.length = 0;
  });
});

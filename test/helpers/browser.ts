/**
 * Real-browser tests: Chromium (the system's, driven by playwright-core) against
 * an in-process Yiju server over the real corpus. A suite starts with useBrowserSuite(),
 * which owns the scaffolding every browser test file shares:
 *
 *   const suite = useBrowserSuite();          // beforeAll: launches Chromium (fails loudly without /usr/bin/chromium);
 *                                             // afterEach: no uncaught errors or CSP refusals on the page, context closed;
 *                                             // afterAll: Chromium closed, then everything below torn down (last first)
 *   let server: YijuServer;
 *   beforeAll(async () => {
 *     const yiju = await suite.yiju('yiju-browser-page-');          // runtime over a copy of the run's index
 *     server = await suite.serve(yiju.rt, { rateLimit: 2 });          // HTTP options on top of the config's
 *   }, 180_000);
 *   it('…', async () => {
 *     const page = await suite.open(`${server.url}/`, { viewport }); // a fresh context and page, errors tracked
 *     await screenshot(page, 'chat.png');                            // under docs/screenshots
 *   });
 *
 * The pieces (launchChromium, openYiju, serveYiju, startHostServer, trackPageErrors) stay exported for
 * the odd test that needs one outside that lifecycle (e.g. a server restarted on the same port).
 */
import { httpOptionsOf } from '../../src/config/common.js';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { EventSourceMessage } from 'eventsource-parser';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page, type Request, type Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { loadConfig, type Config } from '../../src/node/config.js';
import type { ChatModel, Embedder } from '../../src/core/ports.js';
import type { HttpOptions } from '../../src/http/options.js';
import { createRuntime, type Runtime } from '../../src/node/runtime.js';
import { startServer, type RunningServer } from '../../src/node/server.js';
import { REPO_ROOT } from './corpus.js';
import { dataDirWithIndex, e2eEnv } from './e2eIndex.js';
import { memoryLogger, parseSSE } from './http.js';
import { listen } from './listen.js';

// Functions given to page.evaluate() and friends run in Chromium. The project's tsconfig has no DOM
// library (and must not get one: it checks the Node code), so the browser globals they use are declared
// here, loosely, for this file only.
declare const document: any, window: any;
type Element = any;

/** The system Chromium (Debian's package); YIJU_CHROMIUM points elsewhere. */
export const CHROMIUM_PATH = process.env.YIJU_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Where the suite writes its screenshots (docs/screenshots). */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'docs', 'screenshots');

/** The system Chromium. A missing browser is a failure with a message saying what to install, never a skip. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM_PATH}, and it is not there. Install it (Debian/Ubuntu: "apt-get install chromium"); ` +
        'or set YIJU_CHROMIUM to a Chromium binary. "npx playwright install" is not used by this suite.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface YijuRuntime {
  rt: Runtime;
  config: Config;
  embedder: Embedder;
  cleanup(): void;
}

/**
 * A runtime over a fresh copy of this run's index of the real corpus (extractive
 * unless `chat` is given). With `corpusDir`, the index is brought up to date with
 * that folder (only changed documents are embedded).
 */
export async function openYiju(prefix: string, options: { corpusDir?: string; chat?: ChatModel } = {}): Promise<YijuRuntime> {
  const prepared = await dataDirWithIndex(prefix);
  const config = loadConfig(e2eEnv(prepared.dir, { HOST: '127.0.0.1', ...(options.corpusDir ? { YIJU_CORPUS_DIR: options.corpusDir } : {}) }));
  const rt = await createRuntime(config, { embedder: prepared.embedder, chat: options.chat });
  return { rt, config, embedder: prepared.embedder, cleanup: prepared.cleanup };
}

/** Another runtime over the same data folder and embedder (e.g. a generative one). */
export function runtimeLike(base: YijuRuntime, chat?: ChatModel): Promise<Runtime> {
  return createRuntime(base.config, { embedder: base.embedder, chat });
}

export type YijuServer = RunningServer & { logger: ReturnType<typeof memoryLogger> };

/** startServer over `rt` on 127.0.0.1 (an ephemeral port unless given), with HTTP options on top of the config's. */
export async function serveYiju(rt: Runtime, http: Partial<HttpOptions> = {}, port?: number): Promise<YijuServer> {
  const logger = memoryLogger();
  const server = await startServer(rt, { logger, port, deps: { options: { ...httpOptionsOf(rt.config), ...http } } });
  return Object.assign(server, { logger });
}

/** A tiny third-party web server (another origin) serving HTML pages set by the test. */
export interface HostServer {
  /** http://localhost:<port> — a different origin from Yiju's http://127.0.0.1:<port>. */
  origin: string;
  /** Serves `html` at `path`; returns its URL. */
  page(path: string, html: string): string;
  url(path: string): string;
  close(): Promise<void>;
}

export async function startHostServer(): Promise<HostServer> {
  const pages = new Map<string, string>();
  const server = createServer((req, res) => {
    const html = pages.get((req.url ?? '/').split('?')[0]!);
    if (html === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
  });
  // Dual-stack, so "localhost" works whether Chromium resolves it to ::1 or 127.0.0.1.
  const listening = await listen(server, { dualStack: true });
  const origin = listening.url;
  return {
    origin,
    page: (path, html) => {
      pages.set(path, html);
      return `${origin}${path}`;
    },
    url: (path) => `${origin}${path}`,
    close: listening.close,
  };
}

/** A third-party page embedding the widget with the given data-* attributes (escaped), plus extra head/body HTML. */
export function hostPageHtml(yijuUrl: string, data: Record<string, string>, extra: { head?: string; body?: string } = {}): string {
  const attr = (v: string) => v.replace(/&/gu, '&amp;').replace(/"/gu, '&quot;').replace(/</gu, '&lt;');
  const attrs = Object.entries(data)
    .map(([k, v]) => ` data-${k}="${attr(v)}"`)
    .join('');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>某县人民政府</title>
<style>body{font:16px/1.7 serif;max-width:40rem;margin:2rem auto;padding:0 1rem}</style>${extra.head ?? ''}</head>
<body><h1>某县人民政府 · 信访工作</h1><p><a href="#top" id="host-link">政务公开</a></p><p>第三方网页的正文。</p>${extra.body ?? ''}
<script src="${yijuUrl}/widget.js"${attrs}></script></body></html>`;
}

/** Uncaught page exceptions and Content-Security-Policy refusals, collected for a final `expect(errors).toEqual([])`. */
export function trackPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/iu.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** The scaffolding of a browser test file: see the top of this file. */
export interface BrowserSuite {
  /** The suite's Chromium (launched in beforeAll). */
  readonly browser: Browser;
  /** The current test's browser context (the last one newPage/open made). */
  readonly context: BrowserContext;
  /** Uncaught exceptions and CSP refusals on the current page; afterEach expects none. */
  readonly errors: string[];
  /** Closes the current context; opens a new one (desktop 1280×800 unless `options` say otherwise) and a page in it, errors tracked. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** newPage, then goes to `url`. */
  open(url: string, options?: BrowserContextOptions): Promise<Page>;
  /** openYiju, cleaned up after all the file's tests. */
  yiju(prefix: string, options?: Parameters<typeof openYiju>[1]): Promise<YijuRuntime>;
  /** serveYiju, closed after all the file's tests. */
  serve(rt: Runtime, http?: Partial<HttpOptions>, port?: number): Promise<YijuServer>;
  /** startHostServer, closed after all the file's tests. */
  hostServer(): Promise<HostServer>;
  /** Runs `teardown` after all the file's tests (after Chromium is closed; the last registered first). */
  teardown(teardown: () => unknown): void;
}

export const DESKTOP = { width: 1280, height: 800 };

/**
 * Registers the hooks of a browser test file (call it once, at the top level):
 * Chromium launched before all tests; after each, no uncaught page errors or CSP
 * refusals and the test's context closed; after all, Chromium closed and every
 * yiju/serve/hostServer/teardown undone, the last first.
 */
export function useBrowserSuite(): BrowserSuite {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let errors: string[] = [];
  const teardowns: (() => unknown)[] = [];
  const teardown = (fn: () => unknown) => void teardowns.push(fn);

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterEach(async () => {
    expect(errors, 'uncaught errors or CSP refusals').toEqual([]);
    await context?.close();
  });

  afterAll(async () => {
    await browser?.close();
    for (const fn of teardowns.reverse()) await fn();
  });

  const newPage = async (options: BrowserContextOptions = {}): Promise<Page> => {
    await context?.close();
    context = await browser!.newContext({ viewport: DESKTOP, ...options });
    const page = await context.newPage();
    errors = trackPageErrors(page);
    return page;
  };

  return {
    get browser() {
      if (!browser) throw new Error('Chromium is not launched yet: use the suite inside tests and hooks');
      return browser;
    },
    get context() {
      if (!context) throw new Error('no browser context yet: call suite.newPage() or suite.open() first');
      return context;
    },
    get errors() {
      return errors;
    },
    newPage,
    open: async (url, options) => {
      const page = await newPage(options);
      await page.goto(url);
      return page;
    },
    yiju: async (prefix, options) => {
      const yiju = await openYiju(prefix, options);
      teardown(yiju.cleanup);
      return yiju;
    },
    serve: async (rt, http, port) => {
      const server = await serveYiju(rt, http, port);
      teardown(() => server.close());
      return server;
    },
    hostServer: async () => {
      const host = await startHostServer();
      teardown(() => host.close());
      return host;
    },
    teardown,
  };
}

export type { Answer, Citation } from '../../src/web/api.js';
import type { Answer } from '../../src/web/api.js';

export interface Exchange {
  request: Request;
  response: Response;
  /** The JSON body the page posted. */
  body: { question: string; history: { role: string; content: string }[] };
  events: EventSourceMessage[];
  done: Answer;
}

// windows-1252's characters for the bytes 0x80–0x9f (the five it leaves undefined map to themselves).
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/**
 * The text of a text/event-stream body as Playwright reports it. Chromium's
 * DevTools decodes a response without a charset parameter as windows-1252
 * (Yiju now sends "charset=utf-8", so this is a safety net; SSE itself is always UTF-8,
 * which is how the page reads it), so a body made only of windows-1252
 * characters is turned back into its bytes and read as UTF-8.
 */
export function sseText(body: Buffer): string {
  const text = body.toString('utf8');
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const high = CP1252_HIGH.indexOf(ch);
    if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) bytes.push(code);
    else if (high >= 0) bytes.push(0x80 + high);
    else return text; // a character windows-1252 cannot produce: the text was already decoded as UTF-8
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return text;
  }
}

/**
 * Starts waiting for the page's next POST /api/chat; the returned function
 * resolves once its event stream has been read to the end.
 */
export function nextChat(page: Page): () => Promise<Exchange> {
  const waiting = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/chat' && r.request().method() === 'POST', { timeout: 60_000 });
  return async () => {
    const response = await waiting;
    const events = parseSSE(sseText(await response.body()));
    const done = events.find((e) => e.event === 'done');
    if (!done) throw new Error(`the /api/chat stream had no done event: ${events.map((e) => e.event).join(', ')}`);
    const request = response.request();
    return { request, response, body: request.postDataJSON() as Exchange['body'], events, done: JSON.parse(done.data) as Answer };
  };
}

/** The k-th (0-based) answer in `scope` once it is finished (aria-busy="false"). */
export async function finishedAnswer(scope: Page | Locator, k: number): Promise<Locator> {
  const answer = scope.locator('article.yj-bot').nth(k);
  await scope.locator('article.yj-bot[aria-busy="false"]').nth(k).waitFor({ timeout: 60_000 });
  return answer;
}

/** The spans and index of a viewer link: /documents/:id#c=s-e,s-e&i=k. */
export function viewerTarget(href: string): { docId: string; spans: [number, number][]; numbers: number[]; index: number; path: string } {
  const url = new URL(href);
  const params = new URLSearchParams(url.hash.slice(1));
  const spans = (params.get('c') ?? '')
    .split(',')
    .filter(Boolean)
    .map((p) => p.split('-').map(Number) as [number, number]);
  const numbers = (params.get('n') ?? '').split(',').filter(Boolean).map(Number);
  return { docId: decodeURIComponent(url.pathname.replace(/^\/documents\//u, '')), spans, numbers, index: Number(params.get('i') ?? '0'), path: url.pathname };
}

/**
 * Resolves when the scrollable log has come to rest showing the newest question at its top (or scrolled as far as
 * it goes) with the start of its answer in view: what a reader sees when an answer completes.
 */
export async function waitQuestionInView(page: Page, log: Locator): Promise<void> {
  const handle = await log.elementHandle({ timeout: 30_000 });
  await page.waitForFunction(
    (el) => {
      if (!el) return false;
      const box = (el as Element).getBoundingClientRect();
      const questions = (el as Element).querySelectorAll('.yj-user');
      const answers = (el as Element).querySelectorAll('.yj-bot .yj-body');
      const q = questions[questions.length - 1]?.getBoundingClientRect();
      const a = answers[answers.length - 1]?.getBoundingClientRect();
      if (!q || !a) return false;
      const inView = (top: number) => top >= box.top - 1 && top + 16 <= box.bottom;
      return inView(q.top) && inView(a.top);
    },
    handle,
    { timeout: 30_000 },
  );
}

/** Resolves when the element's CSS animations (e.g. the widget panel's slide-in) have finished. */
export async function animationsDone(locator: Locator): Promise<void> {
  await locator.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a: { finished: Promise<unknown> }) => a.finished)).then(() => undefined));
}

/** Resolves when the element is inside the viewport (wholly, or covering it when taller), waiting for smooth scrolling to settle. */
export async function waitInViewport(page: Page, locator: Locator): Promise<void> {
  const handle = await locator.elementHandle({ timeout: 30_000 });
  await page.waitForFunction(
    (el) => {
      if (!el) return false;
      const r = (el as Element).getBoundingClientRect();
      const vh = window.innerHeight;
      const vw = window.innerWidth;
      const fitsV = r.height <= vh ? r.top >= 0 && r.bottom <= vh : r.top <= 0 && r.bottom >= vh;
      return r.width > 0 && r.height > 0 && fitsV && r.left >= 0 && r.right <= vw;
    },
    handle,
    { timeout: 30_000 },
  );
}

/** What has the keyboard focus, looking through open shadow roots. */
export interface Focused {
  tag: string;
  id: string;
  cls: string;
  text: string;
  n: string | null;
  /** Tag names of the shadow hosts on the way (outermost first). */
  hosts: string[];
}

export function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    const hosts: string[] = [];
    while (el?.shadowRoot?.activeElement) {
      hosts.push(el.tagName.toLowerCase());
      el = el.shadowRoot.activeElement;
    }
    if (!el || el === document.body) return null;
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      cls: el.getAttribute('class') ?? '',
      text: (el.textContent ?? '').trim().slice(0, 40),
      n: el.getAttribute('data-n'),
      hosts,
    };
  });
}

/** Presses `key` until `wanted(focused)` holds (at most `max` presses); returns everything focused on the way, the last one included. */
export async function pressUntil(page: Page, key: string, wanted: (f: Focused | null) => boolean, max = 60): Promise<(Focused | null)[]> {
  const seen: (Focused | null)[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const f = await focused(page);
    seen.push(f);
    if (wanted(f)) return seen;
  }
  throw new Error(
    `${max} presses of ${key} never reached the wanted element; focus went through: ${seen.map((f) => (f ? `${f.tag}.${f.cls}#${f.id}` : 'body')).join(' → ')}`,
  );
}

/** Writes a screenshot under docs/screenshots and returns its path. */
export async function screenshot(target: Page | Locator, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, name);
  await target.screenshot({ path, animations: 'disabled' });
  return path;
}

/** The PNG signature (a written screenshot is a real PNG). */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import { exampleQuestions } from '../../core/suggest/exampleQuestions.js';
import { NOT_STATED, sourceInfo } from '../../core/ingest/sourceInfo.js';
import { errors, jsonContent, routes, type RouteContext } from '../context.js';
import type { AppEnv } from '../env.js';
import { ApiError } from '../errors.js';

export type AssetName = 'app.js' | 'widget.js' | 'widget-panel.js' | 'viewer.js';

/** The browser bundles the runtime provides (built from src/web). */
export interface WebAssets {
  get(name: AssetName): string | undefined;
}

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The source viewer's own styles (on top of the chat's): a header that stays on screen with the speech's identity,
 * the cited spans marked, and the current one told apart from the keyboard focus ring by a heavy underline.
 */
const VIEWER_CSS = [
  'body{margin:0}',
  '.yj-vhead{position:sticky;top:0;z-index:1;background:var(--yj-bg);border-bottom:1px solid var(--yj-line);padding:.5rem 1.2rem .3rem}',
  '.yj-vhead>*{max-width:48rem;margin-left:auto;margin-right:auto}',
  '.yj-vbar{display:flex;gap:.8rem;align-items:center}.yj-vbar a{color:var(--yj-link)}#yj-copy-status{color:var(--yj-muted);font-size:.9em}',
  '.yj-vhead h1{font-size:1.2rem;margin:.3rem auto .1rem}.yj-identity{margin-top:0;margin-bottom:.2rem;color:var(--yj-muted);font-size:.9em}',
  '#yj-nav{display:flex;gap:.6rem;align-items:center;min-height:2rem}',
  '.yj-doc{max-width:48rem;margin:0 auto;padding:1rem 1.2rem 4rem}',
  '#yj-text{white-space:pre-wrap;line-height:1.9}',
  '#yj-text .yj-heading{font-weight:650;font-size:1.05em}',
  '#yj-text mark{background:var(--yj-mark);color:inherit;border-radius:3px;padding:0 .1em;scroll-margin-top:9rem}',
  '#yj-text mark:focus{outline:none}',
  '#yj-text mark[aria-current]{box-shadow:inset 0 -3px 0 var(--yj-fg);font-weight:600}',
].join('');

/** An empty chat lists at most this many of the documents it answers from (with how many there are). */
const CORPUS_LISTED = 12;

/**
 * The front ends: the chat page (/), the source viewer (/documents/:id), the
 * embeddable widget (/widget.js), a demo host page (/demo) and the example
 * questions they show (/api/suggestions).
 */
export function webRoutes(ctx: RouteContext, assets: WebAssets | undefined) {
  const { documents, domain } = ctx.deps;
  const { ui } = domain;
  const words = (lang: 'zh' | 'en') => ({ title: ui.title[lang], greeting: ui.greeting[lang], placeholder: ui.placeholder[lang] });
  const chatWords = { zh: words('zh'), en: words('en') };
  // Computed on first request, not at start-up (it scans every document for every domain term).
  let examples: string[] | undefined;
  const suggestions = createRoute({
    method: 'get',
    path: '/api/suggestions',
    tags: ['Service'],
    summary: 'Example questions drawn from the corpus (for an empty chat)',
    responses: {
      200: jsonContent(
        z.object({
          questions: z.array(z.string()),
          ui: z
            .record(z.enum(['zh', 'en']), z.object({ title: z.string(), greeting: z.string(), placeholder: z.string() }))
            .openapi({ description: "The chat's words in the corpus' domain (its domain pack), per UI language." }),
          corpus: z
            .object({
              mode: z.enum(['extractive', 'generative']),
              documents: z.array(z.object({ id: z.string(), title: z.string(), cite: z.string() })),
              total: z.number().int(),
            })
            .openapi({
              description: `What an empty chat says it answers from: the answer mode, the number of documents and the first ${CORPUS_LISTED}, each with its copy-ready reference.`,
            }),
        }),
        "Example questions and the chat's words.",
      ),
      ...errors.auth,
    },
  });

  let listed: { id: string; title: string; cite: string }[] | undefined;
  const corpus = () => ({
    mode: ctx.deps.info.answerMode,
    documents: (listed ??= [...documents.values()].slice(0, CORPUS_LISTED).map((d) => ({ id: d.id, title: d.title, cite: sourceInfo(d, domain).cite }))),
    total: documents.size,
  });
  // The pack's own examples, else examples made from the domain terms.
  const app = routes().openapi(suggestions, (c) =>
    c.json(
      {
        questions: (examples ??= domain.examples.length
          ? [...domain.examples]
          : exampleQuestions([...documents.values()], domain.terms, domain.exampleTemplate)),
        ui: chatWords,
        corpus: corpus(),
      },
      200,
    ),
  );

  const script = (name: AssetName, crossOrigin: boolean) => (c: Context<AppEnv>) => {
    const body = assets?.get(name);
    if (body === undefined) throw new ApiError(404, 'not_found', `${name} is not built in this deployment`);
    return c.body(body, 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=300',
      'Cross-Origin-Resource-Policy': crossOrigin ? 'cross-origin' : 'same-origin',
    });
  };
  app.get('/widget.js', script('widget.js', true));
  app.get('/assets/widget-panel.js', script('widget-panel.js', true));
  app.get('/assets/app.js', script('app.js', false));
  app.get('/assets/viewer.js', script('viewer.js', false));

  app.get('/', (c) =>
    c.html(
      html`<!doctype html>
        <html lang="zh-CN">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width,initial-scale=1" />
            <link rel="icon" href="data:," />
            <title>${ui.title.zh}</title>
            <meta name="description" content="${ui.description.zh}" />
          </head>
          <body>
            <main id="yiju" data-title="${ui.title.zh}" data-greeting="${ui.greeting.zh}" data-placeholder="${ui.placeholder.zh}"></main>
            <noscript>请启用 JavaScript，或使用 API：/api/docs</noscript>
            <script src="/assets/app.js"></script>
          </body>
        </html>`,
      200,
      { 'Content-Security-Policy': PAGE_CSP },
    ),
  );

  app.get('/documents/:id', (c) => {
    const doc = documents.get(c.req.param('id'));
    if (!doc) {
      return c.html(
        html`<!doctype html>
          <html lang="zh-CN">
            <head>
              <meta charset="utf-8" />
              <title>未找到</title>
            </head>
            <body>
              <p>找不到这篇${domain.documents.zh || '文档'}（${c.req.param('id')}）。<a href="/">返回问答</a></p>
            </body>
          </html>`,
        404,
        { 'Content-Security-Policy': PAGE_CSP },
      );
    }
    // The speech's identity as answers cite it: meeting, level, place, speaker, date (what its text or metadata says).
    const info = sourceInfo(doc, domain);
    const identity = [info.meeting, info.level, info.place, info.speaker, info.date].filter((v) => v && v !== NOT_STATED).join(' · ');
    return c.html(
      html`<!doctype html>
        <html lang="zh-CN">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width,initial-scale=1" />
            <link rel="icon" href="data:," />
            <title>${doc.title} · 依据</title>
            <style>
              ${raw(VIEWER_CSS)}
            </style>
          </head>
          <body class="yj-root">
            <header class="yj-vhead">
              <div class="yj-vbar">
                <a href="/" id="yj-back">← 返回问答</a>
                <button type="button" id="yj-copy-cite" hidden>复制引用</button>
                <span id="yj-copy-status" role="status"></span>
              </div>
              <h1>${doc.title}</h1>
              ${identity ? html`<p class="yj-identity">${identity}</p>` : ''}
              <nav id="yj-nav" aria-label="引用位置"></nav>
            </header>
            <main class="yj-doc">
              <div id="yj-text" data-doc-id="${doc.id}" data-cite="${info.cite}">${doc.text}</div>
            </main>
            <script src="/assets/viewer.js"></script>
          </body>
        </html>`,
      200,
      { 'Content-Security-Policy': PAGE_CSP },
    );
  });

  // Same origin: the widget is loaded by a relative URL (never from the Host header, which the client chooses).
  app.get('/demo', (c) => {
    return c.html(
      html`<!doctype html>
        <html lang="zh-CN">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width,initial-scale=1" />
            <link rel="icon" href="data:," />
            <title>嵌入示例 · 依据</title>
            <style>
              body {
                font:
                  16px/1.7 system-ui,
                  sans-serif;
                max-width: 40rem;
                margin: 2rem auto;
                padding: 0 1rem;
              }
              pre {
                white-space: pre-wrap;
                overflow-wrap: anywhere;
              }
            </style>
          </head>
          <body>
            <h1>${ui.demoHeading}</h1>
            <p>这是一个第三方网页。右下角的按钮就是依据的问答挂件，由下面一行代码嵌入：</p>
            <pre>&lt;script src="https://（依据服务的地址）/widget.js" data-title="${ui.widgetTitle}" data-open="false"&gt;&lt;/script&gt;</pre>
            <script src="/widget.js" data-title="${ui.widgetTitle}"></script>
          </body>
        </html>`,
      200,
      { 'Content-Security-Policy': PAGE_CSP },
    );
  });

  return app;
}

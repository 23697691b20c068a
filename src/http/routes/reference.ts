import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

type Json = Record<string, unknown>;
type Operation = { summary?: string; description?: string; tags?: string[]; parameters?: Json[]; requestBody?: Json; responses?: Record<string, Json> };

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

/** Resolves `#/components/schemas/X` references one level deep, for display. */
function resolve(doc: Json, schema: unknown): unknown {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  if (!ref) return schema;
  const name = ref.split('/').at(-1)!;
  return ((doc.components as Json | undefined)?.schemas as Json | undefined)?.[name] ?? schema;
}

const CSS = `body{font:15px/1.55 system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd}code,pre{font:13px/1.45 ui-monospace,monospace}
pre{background:#f5f5f5;padding:.7rem;overflow:auto;border-radius:6px}details{margin:.4rem 0}
.op{border:1px solid #ddd;border-radius:8px;padding:.2rem 1rem 1rem;margin:1rem 0}.m{font-weight:700;text-transform:uppercase;margin-right:.5rem}
.get{color:#0a6}.post{color:#06c}@media (prefers-color-scheme:dark){body{background:#151515;color:#e8e8e8}pre{background:#222}.op,h2{border-color:#333}}`;

/**
 * A self-contained, browsable API reference rendered on the server from the
 * OpenAPI document: no scripts, no CDN, works offline and on Workers.
 */
export function renderReference(doc: Json, specPath: string): HtmlEscapedString | Promise<HtmlEscapedString> {
  const info = doc.info as { title: string; version: string; description?: string };
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const ops = Object.entries(paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
  const tags = [...new Set(ops.map((o) => o.op.tags?.[0] ?? 'Other'))];
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${info.title} — API reference</title>
        <style>
          ${raw(CSS)}
        </style>
      </head>
      <body>
        <h1>${info.title} <small>${info.version}</small></h1>
        <p>${info.description ?? ''}</p>
        <p>Machine-readable: <a href="${specPath}">${specPath}</a> (OpenAPI 3.1). Errors are always <code>{"error":{"code","message"}}</code>.</p>
        ${tags.map(
          (tag) =>
            html`<h2>${tag}</h2>
              ${ops
                .filter((o) => (o.op.tags?.[0] ?? 'Other') === tag)
                .map(({ path, method, op }) => {
                  const body = (op.requestBody?.content as Record<string, { schema: unknown }> | undefined)?.['application/json']?.schema;
                  return html`<section class="op" id="${method}-${path}">
                    <h3><span class="m ${method}">${method}</span><code>${path}</code></h3>
                    <p>${op.summary ?? ''}</p>
                    ${op.description ? html`<pre>${op.description}</pre>` : ''}
                    ${
                      op.parameters?.length
                        ? html`<p>Parameters:</p>
                            <ul>
                              ${op.parameters.map((p) => html`<li><code>${String(p.name)}</code> (${String(p.in)}${p.required ? ', required' : ''}) ${String((p.schema as Json | undefined)?.description ?? p.description ?? '')}</li>`)}
                            </ul>`
                        : ''
                    }
                    ${
                      body
                        ? html`<details open>
                            <summary>Request body</summary>
                            <pre>${pretty(resolve(doc, body))}</pre>
                          </details>`
                        : ''
                    }
                    ${Object.entries(op.responses ?? {}).map(([status, r]) => {
                      const content = r.content as Record<string, { schema: unknown }> | undefined;
                      const schema = content?.['application/json']?.schema;
                      return html`<details>
                        <summary><b>${status}</b> ${String(r.description ?? '')}</summary>
                        ${schema ? html`<pre>${pretty(resolve(doc, schema))}</pre>` : ''}
                      </details>`;
                    })}
                  </section>`;
                })}`,
        )}
      </body>
    </html>`;
}

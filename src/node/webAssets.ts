import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { WebAssets } from '../http/routes/web.js';

const WEB = fileURLToPath(new URL('../web/', import.meta.url));
export const WEB_ENTRIES = { app: `${WEB}page.ts`, widget: `${WEB}widget.ts`, 'widget-panel': `${WEB}widgetPanel.ts`, viewer: `${WEB}viewer.ts` } as const;

/** Bundles the chat page, the widget (launcher + lazily loaded panel) and the viewer from src/web with esbuild (in memory, about a second). */
export async function buildWebAssets(options: { minify?: boolean } = {}): Promise<WebAssets & { sizes: Record<string, number> }> {
  const result = await build({
    entryPoints: WEB_ENTRIES,
    bundle: true,
    minify: options.minify ?? true,
    format: 'iife',
    target: ['es2022', 'chrome100', 'firefox100', 'safari15.4'],
    write: false,
    outdir: 'out',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files = new Map<string, string>();
  for (const f of result.outputFiles) files.set(f.path.split('/').at(-1)!, f.text);
  return {
    get: (name) => files.get(name),
    sizes: Object.fromEntries([...files].map(([k, v]) => [k, Buffer.byteLength(v)])),
  };
}

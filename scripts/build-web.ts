/**
 * Builds the browser bundles (chat page, widget, source viewer) into dist/web
 * and reports their sizes, raw and gzipped. The server builds the same bundles
 * in memory at start; this is for measuring and for static hosting.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildWebAssets } from '../src/node/webAssets.js';

const out = join(process.cwd(), 'dist', 'web');
mkdirSync(out, { recursive: true });
const assets = await buildWebAssets();
const rows: { file: string; bytes: number; gzip: number }[] = [];
for (const file of ['widget.js', 'widget-panel.js', 'app.js', 'viewer.js'] as const) {
  const text = assets.get(file)!;
  writeFileSync(join(out, file), text);
  rows.push({ file, bytes: Buffer.byteLength(text), gzip: gzipSync(text, { level: 9 }).length });
}
for (const r of rows)
  process.stdout.write(`${r.file.padEnd(16)} ${(r.bytes / 1024).toFixed(1).padStart(6)} kB  gzip ${(r.gzip / 1024).toFixed(1).padStart(5)} kB\n`);
writeFileSync(join(out, 'sizes.json'), `${JSON.stringify(rows, null, 2)}\n`);

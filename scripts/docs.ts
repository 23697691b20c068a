/**
 * `npm run docs`: rewrites the generated regions of README.md and docs/*.md
 * (<!-- generated:NAME:start --> … <!-- generated:NAME:end -->) from
 * bench/results/*.json, with the renderers in scripts/docs/sections.ts.
 * `npm run docs -- --check` writes nothing and exits 1 listing the stale regions.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docFiles, renderRegions } from './docs/regions.js';
import { REPO_ROOT } from './docs/results.js';
import { sections } from './docs/sections.js';

const check = process.argv.includes('--check');
const stale: string[] = [];
const used = new Set<string>();
for (const file of docFiles(REPO_ROOT)) {
  const path = join(REPO_ROOT, file);
  const before = readFileSync(path, 'utf8');
  const { text, regions } = renderRegions(before, sections);
  for (const r of regions) {
    used.add(r.name);
    if (r.stale) stale.push(`${file}: ${r.name}`);
    if (!r.rendered) process.stderr.write(`${file}: region "${r.name}" has no renderer; left as it is\n`);
  }
  if (!check && text !== before) writeFileSync(path, text);
}
for (const name of Object.keys(sections)) if (!used.has(name)) process.stderr.write(`renderer "${name}" has no region in the docs\n`);
if (check) {
  if (stale.length > 0) {
    process.stderr.write(`stale generated regions (run npm run docs):\n${stale.map((s) => `  ${s}`).join('\n')}\n`);
    process.exitCode = 1;
  } else process.stdout.write('generated regions are up to date\n');
} else process.stdout.write(stale.length > 0 ? `updated:\n${stale.map((s) => `  ${s}`).join('\n')}\n` : 'generated regions were already up to date\n');

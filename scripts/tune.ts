/**
 * `npx tsx scripts/tune.ts`: grid search of chunk size and fusion weights on
 * the evaluation set (a development tool; results guide DEFAULT_WEIGHTS).
 * Beware: tuning on the same set that is reported overfits; keep grids coarse.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/node/config.js';
import { createEmbedder } from '../src/node/embedderFactory.js';
import { locateEvalSet } from '../src/eval/evalSet.js';
import { retrievalMetrics } from '../src/eval/retrievalMetrics.js';
import { createRuntime } from '../src/node/runtime.js';

const base = loadConfig(process.env);
const embedder = await createEmbedder(base);
const raw = JSON.parse(readFileSync(new URL('../test/eval/questions.json', import.meta.url), 'utf8'));
const sizes = (process.env.SIZES ?? '300').split(',').map(Number);
const grid = [];
for (const lexical of [0.2, 0.3, 0.4, 0.5])
  for (const sentence of [0.4, 0.6, 0.8])
    for (const chunk of [0, 0.15]) for (const document of [0, 0.1, 0.2]) grid.push({ lexical, sentence, chunk, document });

for (const chunkSize of sizes) {
  const dataDir = mkdtempSync(join(tmpdir(), 'yiju-tune-'));
  const rt = await createRuntime({ ...base, chunkSize, dataDir }, { embedder });
  const qs = locateEvalSet(raw, [...rt.opened.index.documents.values()]);
  const rows = [];
  for (const weights of grid) {
    const r = rt.withRetriever({ weights });
    const results = [];
    for (const q of qs) results.push(await r.retrieve(q.question, 5));
    const m = retrievalMetrics(qs, results);
    rows.push({ weights, r1: m.recallAt1, r5: m.recallAt5, mrr: m.mrr });
  }
  rows.sort((a, b) => b.r1 - a.r1 || b.mrr - a.mrr);
  console.log(`chunkSize ${chunkSize}: ${rt.opened.manifest.counts.chunks} chunks`);
  for (const row of rows.slice(0, Number(process.env.TOP ?? 8)))
    console.log(`  r@1 ${row.r1.toFixed(3)} r@5 ${row.r5.toFixed(3)} mrr ${row.mrr.toFixed(3)} ${JSON.stringify(row.weights)}`);
  rmSync(dataDir, { recursive: true, force: true });
}

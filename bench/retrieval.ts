/**
 * `npm run bench`: index build time (cold and incremental) and per-query latency
 * (embedding, retrieval, total) over the evaluation questions. Not a test: it
 * prints a table and writes bench/results/retrieval.json. Numbers vary with
 * machine load; compare distributions, not single runs.
 */
import { appendFileSync, cpSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/node/config.js';
import { createEmbedder } from '../src/node/embedderFactory.js';
import { createRuntime } from '../src/node/runtime.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const base = loadConfig(process.env);
const work = mkdtempSync(join(tmpdir(), 'yiju-bench-'));
const corpusDir = join(work, 'corpus');
cpSync(base.corpusDir, corpusDir, { recursive: true });
const config = { ...base, corpusDir, dataDir: join(work, 'data') };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const summary = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99), mean: xs.reduce((a, b) => a + b, 0) / xs.length, n: xs.length });

const t0 = performance.now();
const embedder = await createEmbedder(config);
const modelLoadMs = performance.now() - t0;

const cold = await createRuntime(config, { embedder });
const docs = cold.opened.manifest.counts.documents;
const chunks = cold.opened.manifest.counts.chunks;
const coldBuild = {
  ms: cold.opened.buildMs,
  embedMs: cold.opened.build!.embedMs,
  embedded: cold.opened.build!.embedded,
  docsPerSec: docs / (cold.opened.buildMs / 1000),
  chunksPerSec: chunks / (cold.opened.buildMs / 1000),
};

const file = join(corpusDir, readdirSync(corpusDir).sort()[0]!);
appendFileSync(file, '\n基准测试追加的一句话：要把初信初访工作落实到人。\n');
const incr = await createRuntime(config, { embedder });
const incremental = {
  ms: incr.opened.buildMs,
  embedMs: incr.opened.build!.embedMs,
  embedded: incr.opened.build!.embedded,
  changed: incr.opened.build!.changed,
};

const reopenStart = performance.now();
await createRuntime(config, { embedder });
const reopenMs = performance.now() - reopenStart;

const questions = (JSON.parse(readFileSync(new URL('../test/eval/questions.json', import.meta.url), 'utf8')) as { question: string }[]).map((q) => q.question);
const embedMs: number[] = [],
  retrieveMs: number[] = [],
  totalMs: number[] = [];
for (const q of questions.slice(0, 5)) await incr.retriever.retrieve(q, 5); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const q of questions) {
    const s = performance.now();
    const res = await incr.retriever.retrieve(q, 5);
    totalMs.push(performance.now() - s);
    embedMs.push(res.timings.embedMs);
    retrieveMs.push(res.timings.retrieveMs);
  }
}

const answerMs: number[] = [];
for (const q of questions) {
  const s = performance.now();
  await incr.extractive.answer(q);
  answerMs.push(performance.now() - s);
}

const result = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  embedder: embedder.id,
  corpus: { documents: docs, chunks, vectors: cold.opened.manifest.counts.vectors },
  modelLoadMs,
  build: { cold: coldBuild, incrementalOneFile: incremental, reopenNoChangeMs: reopenMs },
  query: { embed: summary(embedMs), retrieve: summary(retrieveMs), total: summary(totalMs), 'extractive answer': summary(answerMs) },
  at: new Date().toISOString(),
};
mkdirSync(new URL('../bench/results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../bench/results/retrieval.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });

const f = (x: number) => x.toFixed(1);
console.log(`machine: ${result.machine.cpus} cores (${result.machine.cpu}), ${result.machine.memoryGiB} GiB, Node ${result.machine.node}`);
console.log(`corpus: ${docs} documents, ${chunks} passages, ${result.corpus.vectors} vectors; model load ${f(modelLoadMs)} ms\n`);
console.log('| index build | time | embedding share | throughput |\n|---|---|---|---|');
console.log(
  `| cold (all ${docs} documents) | ${f(coldBuild.ms / 1000)} s | ${((100 * coldBuild.embedMs) / coldBuild.ms).toFixed(0)} % (${coldBuild.embedded} texts) | ${f(coldBuild.docsPerSec)} docs/s, ${f(coldBuild.chunksPerSec)} passages/s |`,
);
console.log(
  `| incremental (1 changed file) | ${f(incremental.ms / 1000)} s | ${((100 * incremental.embedMs) / incremental.ms).toFixed(0)} % (${incremental.embedded} texts) | — |`,
);
console.log(`| reopen, nothing changed | ${f(reopenMs)} ms | — | — |\n`);
console.log(`| per query (${totalMs.length} = ${questions.length} questions × ${rounds}) | p50 | p95 | p99 |\n|---|---|---|---|`);
for (const [name, s] of Object.entries(result.query)) console.log(`| ${name} | ${f(s.p50)} ms | ${f(s.p95)} ms | ${f(s.p99)} ms |`);

/**
 * `npm run bench:scale`: how the index structures scale to 10k, 100k and 1M passages.
 * Not a test. For each size (SCALE_SIZES, default 10000,100000,1000000) a child process
 * (own heap, own peak-RSS figure) generates a deterministic synthetic corpus
 * (bench/syntheticCorpus.ts) and measures:
 *   - HnswVectorStore build time, memory, save/load time, on-disk size;
 *   - query latency of HNSW (k = 10 and k = 200, at several ef) and of ExactVectorStore,
 *     and recall of HNSW against exact search;
 *   - BM25 over jieba terms: build time, heap, bm25.json size, query latency
 *     (stopped, and reported, where it no longer fits the heap).
 *
 * VECTORS COME FROM A MODEL-FREE EMBEDDER (hashed character unigrams + bigrams, 384
 * dimensions like bge-small-zh, L2-normalised): the real model embeds ≈ 14 passages/s
 * on 2 cores, i.e. ~20 h for 1M passages. These numbers measure the index structures,
 * not retrieval quality; the real model's embedding time is printed as an extrapolated
 * estimate from bench/results/retrieval.json.
 *
 * Results are merged into bench/results/scale.json (entries for sizes not re-run are kept)
 * and printed as Markdown tables. Environment:
 *   SCALE_SIZES=10000,100000,1000000   SCALE_QUERIES=200   SCALE_SEED=1
 *   SCALE_EF=<app hnswEf, 100>         SCALE_EF_EXTRA=50,200 (more ef values for latency/recall)
 *   SCALE_EXACT_QUERIES=<all up to 100k passages, 50 above>  (queries timed on exact search)
 *   SCALE_BUILD_BUDGET_MIN=20   (stop an HNSW build after this long and report the part built)
 *   SCALE_HEAP_MB=10240         (--max-old-space-size of each child; BM25 stops at 80 % of it)
 */
import { constants as bufferConstants } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { JiebaSegmenter } from '../src/adapters/segmenters/jieba.js';
import { ExactVectorStore } from '../src/adapters/vectorstores/exactStore.js';
import { HnswVectorStore } from '../src/adapters/vectorstores/hnswStore.js';
import { loadConfig } from '../src/node/config.js';
import { loadDomain } from '../src/adapters/corpus/fsCorpus.js';
import { Bm25Index } from '../src/core/lexical/bm25.js';
import type { VectorHit } from '../src/core/ports.js';
import { PASSAGES_PER_DOCUMENT, syntheticPassages, syntheticQueries } from './syntheticCorpus.js';

const DIMENSIONS = 384;
const MiB = 2 ** 20;
const RESULTS = fileURLToPath(new URL('../bench/results/scale.json', import.meta.url));
const RETRIEVAL_RESULTS = fileURLToPath(new URL('../bench/results/retrieval.json', import.meta.url));

// ------------------------------------------------------------------ helpers

/** FNV-1a 32-bit. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Model-free embedding: hashed character unigrams and bigrams (whitespace ignored), L2-normalised, into `out`. */
function hashedEmbedding(text: string, out: Float32Array): Float32Array {
  out.fill(0);
  const chars = [...text.replace(/\s+/gu, '')];
  for (let i = 0; i < chars.length; i++) {
    out[fnv1a(chars[i]!) % out.length]! += 1;
    if (i + 1 < chars.length) out[fnv1a(chars[i]! + chars[i + 1]!) % out.length]! += 1;
  }
  if (chars.length === 0) out[0] = 1;
  let sum = 0;
  for (let i = 0; i < out.length; i++) sum += out[i]! * out[i]!;
  const norm = Math.sqrt(sum);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / norm;
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
interface Summary {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  n: number;
}
const summary = (xs: number[]): Summary => ({
  p50: pct(xs, 50),
  p95: pct(xs, 95),
  p99: pct(xs, 99),
  mean: xs.reduce((a, b) => a + b, 0) / xs.length,
  n: xs.length,
});

interface Mem {
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
}
const mem = (): Mem => {
  const m = process.memoryUsage();
  return { rssMB: m.rss / MiB, heapUsedMB: m.heapUsed / MiB, externalMB: m.external / MiB };
};
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const settle = (): Mem => {
  gc();
  gc();
  return mem();
};
/** Peak RSS of the process so far (MB); it never decreases, so reading it after each phase shows which phase set it. */
const peakRss = () => process.resourceUsage().maxRSS / 1024;
const fileSize = (path: string) => (existsSync(path) ? statSync(path).size : 0);
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const envList = (name: string, fallback: number[]) =>
  process.env[name]
    ? process.env[name]!.split(',')
        .map((s) => Number(s.trim()))
        .filter((x) => Number.isFinite(x) && x > 0)
    : fallback;

function recall(approx: VectorHit[], exact: VectorHit[], k: number): number {
  const truth = new Set(exact.slice(0, k).map((h) => h.id));
  if (truth.size === 0) return 1;
  return approx.slice(0, k).filter((h) => truth.has(h.id)).length / truth.size;
}
function scoreRatio(approx: VectorHit[], exact: VectorHit[], k: number): number {
  const sum = (hits: VectorHit[]) => hits.slice(0, k).reduce((a, h) => a + h.score, 0);
  const e = sum(exact);
  return e > 0 ? sum(approx) / e : 1;
}
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

// ------------------------------------------------------------------ one size (child process)

interface EfResult {
  ef: number;
  k10: Summary;
  k200: Summary;
  recallAt10: number;
  recallAt200: number;
  /** Sum of the top-10 HNSW scores over the sum of the exact top-10 scores (1 = as good; near-ties count). */
  scoreRatioAt10: number;
  sourceHitAt10: number;
}

interface SizeResult {
  passages: number;
  seed: number;
  queries: number;
  at: string;
  machineLoad: { start: number[]; end: number[] };
  heapLimitMB: number;
  generate: { ms: number; fakeEmbedMs: number; passagesPerSec: number };
  hnsw: {
    m: number;
    efConstruction: number;
    built: number;
    complete: boolean;
    buildMs: number;
    perSec: number;
    rssDeltaMB: number;
    heapDeltaMB: number;
    samples: { done: number; ms: number; rssMB: number; heapUsedMB: number }[];
    saveMs: number;
    loadMs: number;
    loadedRssDeltaMB: number;
  };
  files: Record<string, number>;
  /** Sizes of files IndexStore would write, computed record by record (not written). */
  computedFiles: Record<string, number>;
  /** UTF-16 length of the JSON string IndexStore.save would build, per file. */
  jsonChars: Record<string, number>;
  maxStringLength: number;
  /** exactQueries: how many queries were timed on exact search (the recall reference). */
  query: {
    defaultEf: number;
    efs: EfResult[];
    exact: { k200: Summary; sourceHitAt10: number; buildMs: number; rssDeltaMB: number; heapDeltaMB: number };
    exactQueries: number;
  };
  bm25: {
    indexed: number;
    complete: boolean;
    stopReason?: string;
    buildMs: number;
    segmentMs: number;
    termsPerPassage: number;
    vocabulary: number;
    postings: number;
    heapDeltaMB: number;
    rssDeltaMB: number;
    jsonMs: number;
    jsonBytes: number;
    jsonError?: string;
    query?: Summary;
    sourceHitAt10?: number;
  };
  memory: { peakRssMB: number; end: Mem; peakRssAfterMB: Record<string, number> };
  totalMs: number;
}

async function runSize(n: number, outFile: string): Promise<void> {
  const t0 = performance.now();
  const seed = Number(process.env.SCALE_SEED ?? 1);
  const queryCount = Number(process.env.SCALE_QUERIES ?? 200);
  let appEf = 100;
  try {
    appEf = loadConfig(process.env).retrieval.hnswEf;
  } catch {
    /* keep the default */
  }
  const defaultEf = Number(process.env.SCALE_EF ?? appEf);
  const efs = [...new Set([defaultEf, ...envList('SCALE_EF_EXTRA', [50, 200])])].sort((a, b) => a - b);
  const exactQueries = Math.min(queryCount, Number(process.env.SCALE_EXACT_QUERIES ?? (n <= 100_000 ? queryCount : 50)));
  const budgetMs = Number(process.env.SCALE_BUILD_BUDGET_MIN ?? 20) * 60_000;
  /** Exact and BM25 queries stop after this long (at least 10 are timed). */
  const queryBudgetMs = Number(process.env.SCALE_QUERY_BUDGET_S ?? 120) * 1000;
  const heapLimitMB = getHeapStatistics().heap_size_limit / MiB;
  const maxStringLength = bufferConstants.MAX_STRING_LENGTH;
  const loadStart = loadavg();
  const work = mkdtempSync(join(tmpdir(), `yiju-scale-${n}-`));
  const tag = `[${n.toLocaleString('en')}]`;

  // 1. Passages and model-free vectors, in one flat buffer (1M × 384 floats = 1.5 GB).
  log(`${tag} generating passages and hashed vectors…`);
  let flat: Float32Array | undefined = new Float32Array(n * DIMENSIONS);
  let genMs = 0,
    embedMs = 0;
  let chunksJsonBytes = 2,
    chunksJsonChars = 2,
    documentsJsonBytes = 2,
    docTextChars = 0;
  let t = performance.now();
  let i = 0;
  for (const p of syntheticPassages(n, seed)) {
    const g = performance.now();
    genMs += g - t;
    hashedEmbedding(p.text, flat.subarray(i * DIMENSIONS, (i + 1) * DIMENSIONS));
    t = performance.now();
    embedMs += t - g;
    // chunks.json / documents.json as IndexStore writes them: computed per record.
    const within = i % PASSAGES_PER_DOCUMENT;
    const start = docTextChars;
    const sentences: { docId: string; start: number; end: number }[] = [];
    let s = start;
    for (const m of p.text.matchAll(/[^。？！]+[。？！]/gu)) {
      sentences.push({ docId: p.docId, start: s, end: s + m[0].length });
      s += m[0].length;
    }
    const chunk = JSON.stringify({ docId: p.docId, start, end: start + p.text.length, id: `${p.docId}#${within}`, index: within, text: p.text, sentences });
    chunksJsonBytes += Buffer.byteLength(chunk) + 1;
    chunksJsonChars += chunk.length + 1;
    docTextChars += p.text.length + 1;
    documentsJsonBytes += Buffer.byteLength(p.text) + 2; // the text and its "\n" separator (2 bytes escaped)
    if (within === PASSAGES_PER_DOCUMENT - 1 || i === n - 1) {
      documentsJsonBytes += JSON.stringify({ id: p.docId, title: `synthetic speech ${p.docId}`, text: '', hash: 'x'.repeat(16), meta: {} }).length + 1;
      docTextChars = 0;
    }
    i++;
    t = performance.now();
  }
  const peaks: Record<string, number> = { generate: peakRss() };
  const generate = { ms: genMs, fakeEmbedMs: embedMs, passagesPerSec: n / ((genMs + embedMs) / 1000) };
  log(`${tag} generated in ${(genMs / 1000).toFixed(1)} s, hashed vectors in ${(embedMs / 1000).toFixed(1)} s`);

  // 2. HNSW build (the app's store and defaults: M 16, efConstruction 200).
  const before = settle();
  let store: HnswVectorStore | undefined = new HnswVectorStore(DIMENSIONS, { ef: defaultEf });
  const samples: SizeResult['hnsw']['samples'] = [];
  const batch = 1000;
  const sampleEvery = Math.max(batch, Math.floor(n / 20 / batch) * batch);
  let built = 0;
  const b0 = performance.now();
  while (built < n) {
    const end = Math.min(n, built + batch);
    const items = [];
    for (let j = built; j < end; j++) items.push({ id: `syn-${j}`, vector: flat.subarray(j * DIMENSIONS, (j + 1) * DIMENSIONS) });
    store.upsert(items);
    built = end;
    const ms = performance.now() - b0;
    if (built % sampleEvery === 0 || built === n) {
      const m = mem();
      samples.push({ done: built, ms, rssMB: m.rssMB, heapUsedMB: m.heapUsedMB });
      log(`${tag} hnsw ${built.toLocaleString('en')}/${n.toLocaleString('en')}  ${(built / (ms / 1000)).toFixed(0)}/s  rss ${m.rssMB.toFixed(0)} MB`);
    }
    if (ms > budgetMs && built < n) {
      log(`${tag} hnsw build budget (${budgetMs / 60_000} min) reached at ${built} vectors: measuring the part built`);
      break;
    }
  }
  const buildMs = performance.now() - b0;
  peaks['hnsw build'] = peakRss();
  const afterBuild = settle();
  const complete = built === n;

  // 3. Save (the store's own files, as IndexStore writes them), then reopen from disk.
  const hnswPath = join(work, 'vectors.hnsw');
  let s0 = performance.now();
  store.save(hnswPath);
  const saveMs = performance.now() - s0;
  const files: Record<string, number> = { 'vectors.hnsw': fileSize(hnswPath), 'vectors.hnsw.labels.json': fileSize(`${hnswPath}.labels.json`) };
  store = undefined; // let the built graph go, so the loaded one is measured alone
  const beforeLoad = settle();
  s0 = performance.now();
  const loaded = HnswVectorStore.load(hnswPath);
  const loadMs = performance.now() - s0;
  const afterLoad = settle();
  peaks['hnsw save + reload'] = peakRss();
  log(`${tag} built ${built} in ${(buildMs / 1000).toFixed(1)} s, saved in ${(saveMs / 1000).toFixed(1)} s, reloaded in ${(loadMs / 1000).toFixed(1)} s`);

  // 4. Queries: HNSW at each ef, k = 10 and k = 200.
  const queries = syntheticQueries(queryCount, seed, built);
  const qvecs = queries.map((q) => hashedEmbedding(q.text, new Float32Array(DIMENSIONS)));
  const hnswTop200: Map<number, VectorHit[]> = new Map();
  const efResults: { ef: number; k10: number[]; k200: number[]; hits10: VectorHit[][]; hits200: VectorHit[][] }[] = [];
  for (const ef of efs) {
    loaded.setEf(ef);
    for (let w = 0; w < Math.min(10, qvecs.length); w++) loaded.search(qvecs[w]!, 10);
    const r = { ef, k10: [] as number[], k200: [] as number[], hits10: [] as VectorHit[][], hits200: [] as VectorHit[][] };
    for (const v of qvecs) {
      const q0 = performance.now();
      r.hits10.push(loaded.search(v, 10));
      r.k10.push(performance.now() - q0);
    }
    for (const v of qvecs) {
      const q0 = performance.now();
      r.hits200.push(loaded.search(v, 200));
      r.k200.push(performance.now() - q0);
    }
    if (ef === defaultEf) r.hits200.forEach((h, qi) => hnswTop200.set(qi, h));
    efResults.push(r);
    log(`${tag} hnsw ef ${ef}: k10 p95 ${pct(r.k10, 95).toFixed(2)} ms, k200 p95 ${pct(r.k200, 95).toFixed(2)} ms`);
  }
  loaded.setEf(defaultEf);
  peaks['hnsw queries'] = peakRss();

  // 5. Exact search over the same vectors (timed on `exactQueries` queries; they are the recall reference).
  const beforeExact = settle();
  s0 = performance.now();
  let exact: ExactVectorStore | undefined = new ExactVectorStore(DIMENSIONS);
  for (let j = 0; j < built; j += batch) {
    const items = [];
    for (let k = j; k < Math.min(built, j + batch); k++) items.push({ id: `syn-${k}`, vector: flat.subarray(k * DIMENSIONS, (k + 1) * DIMENSIONS) });
    exact.upsert(items);
  }
  const exactBuildMs = performance.now() - s0;
  const afterExact = settle();
  peaks['exact build'] = peakRss();
  const exactMs: number[] = [];
  const exactHits: VectorHit[][] = [];
  exact.search(qvecs[0]!, 200); // warm-up
  const e0 = performance.now();
  for (let qi = 0; qi < exactQueries; qi++) {
    if (qi >= 10 && performance.now() - e0 > queryBudgetMs) break;
    const q0 = performance.now();
    exactHits.push(exact.search(qvecs[qi]!, 200));
    exactMs.push(performance.now() - q0);
  }
  peaks['exact queries'] = peakRss();
  log(`${tag} exact: p95 ${pct(exactMs, 95).toFixed(1)} ms over ${exactMs.length} queries`);
  const sourceHit = (hits: VectorHit[][]) => mean(hits.map((h, qi) => (h.slice(0, 10).some((x) => x.id === queries[qi]!.sourceId) ? 1 : 0)));
  const efs2: EfResult[] = efResults.map((r) => ({
    ef: r.ef,
    k10: summary(r.k10),
    k200: summary(r.k200),
    recallAt10: mean(exactHits.map((e, qi) => recall(r.hits10[qi]!, e, 10))),
    recallAt200: mean(exactHits.map((e, qi) => recall(r.hits200[qi]!, e, 200))),
    scoreRatioAt10: mean(exactHits.map((e, qi) => scoreRatio(r.hits10[qi]!, e, 10))),
    sourceHitAt10: sourceHit(r.hits10),
  }));
  const exactTimed = exactHits.length;
  const exactResult = {
    k200: summary(exactMs),
    sourceHitAt10: sourceHit(exactHits),
    buildMs: exactBuildMs,
    rssDeltaMB: afterExact.rssMB - beforeExact.rssMB,
    heapDeltaMB: afterExact.heapUsedMB - beforeExact.heapUsedMB,
  };
  // Free the exact store and the flat vectors before BM25.
  exactHits.length = 0;
  exact = undefined;
  flat = undefined;

  // 6. BM25 over jieba terms, as buildLexicalIndex does; stops at 80 % of the heap limit.
  // The shipped corpus' domain pack: its terms are the ones the synthetic passages use.
  const segmenter = new JiebaSegmenter((await loadDomain(loadConfig(process.env).corpusDir)).terms);
  const beforeBm25 = settle();
  const bm25 = new Bm25Index();
  let segmentMs = 0,
    termCount = 0,
    indexed = 0;
  let stopReason: string | undefined;
  const guardMB = 0.8 * heapLimitMB;
  s0 = performance.now();
  for (const p of syntheticPassages(n, seed)) {
    const g = performance.now();
    const terms = segmenter.terms(p.text);
    segmentMs += performance.now() - g;
    termCount += terms.length;
    bm25.add(p.id, terms);
    indexed++;
    if (indexed % 10_000 === 0) {
      const m = mem();
      if (indexed % 100_000 === 0) log(`${tag} bm25 ${indexed.toLocaleString('en')}  heap ${m.heapUsedMB.toFixed(0)} MB`);
      if (m.heapUsedMB > guardMB) {
        gc();
        if (mem().heapUsedMB > guardMB) {
          stopReason = `heap ${mem().heapUsedMB.toFixed(0)} MB > 80 % of the ${heapLimitMB.toFixed(0)} MB limit`;
          log(`${tag} bm25 stopped at ${indexed}: ${stopReason}`);
          break;
        }
      }
    }
  }
  const bm25BuildMs = performance.now() - s0;
  peaks['bm25 build'] = peakRss();
  const afterBm25 = settle();
  let vocabulary = 0,
    postings = 0;
  for (const list of Object.values(bm25.toJSON().postings)) {
    vocabulary++;
    postings += list.length;
  }

  // BM25 query latency (the retriever asks for 200 candidates).
  const segQueries = queries.slice(0, exactQueries).map((q) => segmenter.queryTerms(q.text));
  const bm25Ms: number[] = [];
  const bm25Hits: VectorHit[][] = [];
  const m0 = performance.now();
  for (const terms of segQueries) {
    if (bm25Ms.length >= 10 && performance.now() - m0 > queryBudgetMs) break;
    const q0 = performance.now();
    bm25Hits.push(bm25.search(terms, 200));
    bm25Ms.push(performance.now() - q0);
  }
  peaks['bm25 queries'] = peakRss();
  log(`${tag} bm25 built over ${indexed} in ${(bm25BuildMs / 1000).toFixed(1)} s; query p95 ${pct(bm25Ms, 95).toFixed(1)} ms`);

  // bm25.json as IndexStore writes it (one JSON.stringify); where that string is too long, write it in pieces to measure the size.
  const bm25Path = join(work, 'bm25.json');
  let jsonError: string | undefined;
  s0 = performance.now();
  try {
    writeFileSync(bm25Path, JSON.stringify(bm25.toJSON()));
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    jsonError = `JSON.stringify: ${err.message}`;
    log(`${tag} bm25.json: ${jsonError}; writing it in pieces to measure its size`);
    const snap = bm25.toJSON();
    const fd = openSync(bm25Path, 'w');
    writeSync(fd, `{"k1":${snap.k1},"b":${snap.b},"ids":${JSON.stringify(snap.ids)},"lengths":${JSON.stringify(snap.lengths)},"postings":{`);
    let first = true;
    for (const [term, list] of Object.entries(snap.postings)) {
      writeSync(fd, `${first ? '' : ','}${JSON.stringify(term)}:${JSON.stringify(list)}`);
      first = false;
    }
    writeSync(fd, '}}');
    closeSync(fd);
  }
  const jsonMs = performance.now() - s0;
  peaks['bm25.json'] = peakRss();
  files['bm25.json'] = fileSize(bm25Path);

  const end = settle();
  const result: SizeResult = {
    passages: n,
    seed,
    queries: queryCount,
    at: new Date().toISOString(),
    machineLoad: { start: loadStart, end: loadavg() },
    heapLimitMB,
    generate,
    hnsw: {
      m: 16,
      efConstruction: 200,
      built,
      complete,
      buildMs,
      perSec: built / (buildMs / 1000),
      rssDeltaMB: afterBuild.rssMB - before.rssMB,
      heapDeltaMB: afterBuild.heapUsedMB - before.heapUsedMB,
      samples,
      saveMs,
      loadMs,
      loadedRssDeltaMB: afterLoad.rssMB - beforeLoad.rssMB,
    },
    files,
    computedFiles: { 'chunks.json': chunksJsonBytes, 'documents.json': documentsJsonBytes },
    jsonChars: { 'chunks.json': chunksJsonChars },
    maxStringLength,
    query: { defaultEf, efs: efs2, exact: exactResult, exactQueries: exactTimed },
    bm25: {
      indexed,
      complete: indexed === n,
      stopReason,
      buildMs: bm25BuildMs,
      segmentMs,
      termsPerPassage: termCount / Math.max(1, indexed),
      vocabulary,
      postings,
      heapDeltaMB: afterBm25.heapUsedMB - beforeBm25.heapUsedMB,
      rssDeltaMB: afterBm25.rssMB - beforeBm25.rssMB,
      jsonMs,
      jsonBytes: files['bm25.json']!,
      jsonError,
      query: bm25Ms.length ? summary(bm25Ms) : undefined,
      sourceHitAt10: bm25Hits.length ? sourceHit(bm25Hits) : undefined,
    },
    memory: { peakRssMB: peakRss(), end, peakRssAfterMB: peaks },
    totalMs: performance.now() - t0,
  };
  void loaded.size; // keep the loaded graph alive until here: the end RSS includes it and BM25
  rmSync(work, { recursive: true, force: true });
  writeFileSync(outFile, JSON.stringify(result));
}

// ------------------------------------------------------------------ report (parent process)

const fmtMs = (ms: number) =>
  ms < 1
    ? `${ms.toFixed(2)} ms`
    : ms < 1000
      ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms`
      : ms < 120_000
        ? `${(ms / 1000).toFixed(1)} s`
        : ms < 5_400_000
          ? `${(ms / 60_000).toFixed(1)} min`
          : `${(ms / 3_600_000).toFixed(1)} h`;
const fmtBytes = (b: number) =>
  b < MiB ? `${(b / 1024).toFixed(0)} KB` : b < 1024 * MiB ? `${(b / MiB).toFixed(b < 10 * MiB ? 1 : 0)} MB` : `${(b / 1024 / MiB).toFixed(2)} GB`;
const fmtMB = (mb: number) => fmtBytes(mb * MiB);
const fmtN = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
const pctStr = (x: number) => `${(100 * x).toFixed(1)} %`;
/** Row label: the passages, and the vectors searched when the HNSW build stopped early. */
const rowLabel = (s: { passages: number; hnsw: { built: number; complete: boolean } }) =>
  `${fmtN(s.passages)}${s.hnsw.complete ? '' : ` (${fmtN(s.hnsw.built)} vectors)`}`;

interface ScaleFile {
  machine: { cpus: number; cpu?: string; memoryGiB: number; node: string };
  embedder: string;
  realModel: { id: string; passagesPerSec: number; vectorsPerPassage: number; source: string };
  sizes: SizeResult[];
}

function realModel(): ScaleFile['realModel'] {
  try {
    const r = JSON.parse(readFileSync(RETRIEVAL_RESULTS, 'utf8')) as {
      embedder: string;
      corpus: { chunks: number; vectors: number };
      build: { cold: { chunksPerSec: number } };
    };
    return {
      id: r.embedder,
      passagesPerSec: r.build.cold.chunksPerSec,
      vectorsPerPassage: r.corpus.vectors / r.corpus.chunks,
      source: 'bench/results/retrieval.json (cold build)',
    };
  } catch {
    return { id: 'local:Xenova/bge-small-zh-v1.5:q8', passagesPerSec: 14, vectorsPerPassage: 9.6, source: 'README Performance section' };
  }
}

function report(file: ScaleFile): string {
  const { machine, realModel: model, sizes } = file;
  const out: string[] = [];
  const ef = sizes[0]?.query.defaultEf ?? 100;
  out.push(`machine: ${machine.cpus} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}`);
  out.push(`vectors: ${file.embedder} — MODEL-FREE, measures the index structures, not retrieval quality`);
  out.push(`HNSW: hnswlib-node via HnswVectorStore, M 16, efConstruction 200, inner product; default ef ${ef} (app config retrieval.hnswEf)\n`);

  out.push('Build');
  out.push('');
  out.push(
    '| passages | HNSW build (1 vector/passage) | inserts/s | HNSW reload from disk | BM25 build (jieba share) | real-model embedding² | load avg (start → end) |',
  );
  out.push('|---|---|---|---|---|---|---|');
  for (const s of sizes) {
    const partial = s.hnsw.complete ? '' : ` (budget hit: ${fmtN(s.hnsw.built)} built)`;
    const bm = s.bm25.complete ? '' : ` (stopped at ${fmtN(s.bm25.indexed)})`;
    out.push(
      `| ${fmtN(s.passages)} | ${fmtMs(s.hnsw.buildMs)}${partial} | ${s.hnsw.perSec.toFixed(0)} | ${fmtMs(s.hnsw.loadMs)} | ${fmtMs(s.bm25.buildMs)} (${pctStr(s.bm25.segmentMs / s.bm25.buildMs)})${bm} | ≈ ${fmtMs((s.passages / model.passagesPerSec) * 1000)} | ${s.machineLoad.start[0]!.toFixed(1)} → ${s.machineLoad.end[0]!.toFixed(1)} |`,
    );
  }
  out.push('');
  out.push('Memory and disk');
  out.push('');
  out.push('| passages | HNSW (RSS Δ) | BM25 (heap Δ) | HNSW + BM25 live | peak RSS (phase) | vectors.hnsw (+labels) | bm25.json | chunks.json¹ |');
  out.push('|---|---|---|---|---|---|---|---|');
  for (const s of sizes) {
    const json = s.bm25.jsonError ? `${fmtBytes(s.bm25.jsonBytes)} ✗³` : fmtBytes(s.bm25.jsonBytes);
    const chunksJson = `${fmtBytes(s.computedFiles['chunks.json']!)}${s.jsonChars['chunks.json']! > s.maxStringLength ? ' ✗³' : ''}`;
    const phase = Object.entries(s.memory.peakRssAfterMB ?? {}).find(([, v]) => v >= s.memory.peakRssMB - 1)?.[0] ?? '?';
    out.push(
      `| ${fmtN(s.passages)} | ${fmtMB(s.hnsw.rssDeltaMB)} | ${fmtMB(s.bm25.heapDeltaMB)} | ${fmtMB(s.hnsw.rssDeltaMB + s.bm25.heapDeltaMB)} | ${fmtMB(s.memory.peakRssMB)} (${phase}) | ${fmtBytes(s.files['vectors.hnsw']!)} (+${fmtBytes(s.files['vectors.hnsw.labels.json']!)}) | ${json} | ${chunksJson} |`,
    );
  }
  out.push('');
  out.push(
    `¹ computed record by record in IndexStore's format, not written. ² ESTIMATE, not measured: passages ÷ ${model.passagesPerSec.toFixed(1)} passages/s (${model.id}, ${model.source}); the app embeds ≈ ${model.vectorsPerPassage.toFixed(1)} vectors per passage (passage + sentences + clauses), this bench 1.`,
  );
  const maxStr = sizes[0]?.maxStringLength ?? 536_870_888;
  out.push(
    `³ longer than V8's maximum string (${(maxStr / 1e6).toFixed(0)} M UTF-16 units): IndexStore.save's JSON.stringify throws "Invalid string length"; the size shown was written in pieces.`,
  );
  out.push(
    'HNSW and BM25 are growths measured after a forced GC (what stays live). Peak RSS is that of the child process measuring one size (heap limit raised to',
  );
  out.push('SCALE_HEAP_MB): it includes garbage V8 had not collected yet — per-query BM25 score maps, the failed JSON.stringify.');
  const big = sizes[sizes.length - 1];
  if (big) {
    // bm25.json is ASCII but for the terms (a small vocabulary), so its bytes ≈ its characters.
    const fits = (chars: number, passages: number) => fmtN(Math.round(big.maxStringLength / (chars / passages) / 1e4) * 1e4);
    out.push(
      `IndexStore.save writes each file with one JSON.stringify: it fits up to ≈ ${fits(big.bm25.jsonBytes, big.bm25.indexed)} passages for bm25.json and ≈ ${fits(big.jsonChars['chunks.json']!, big.passages)} for chunks.json (from the ${fmtN(big.passages)} run's characters per passage).`,
    );
  }
  out.push('');

  out.push(`Query latency (${sizes[0]?.queries ?? 200} synthetic questions; exact search timed on fewer where noted)`);
  out.push('');
  out.push(
    `| passages | HNSW k=10 p50 / p95 / p99 (ef ${ef}) | HNSW k=200 p50 / p95 / p99 | exact p50 / p95 / p99 (queries)⁴ | BM25 k=200 p50 / p95 (queries) |`,
  );
  out.push('|---|---|---|---|---|');
  for (const s of sizes) {
    const d = s.query.efs.find((e) => e.ef === s.query.defaultEf)!;
    const x = s.query.exact.k200;
    const b = s.bm25.query;
    const trip = (m: Summary) => `${fmtMs(m.p50)} / ${fmtMs(m.p95)} / ${fmtMs(m.p99)}`;
    out.push(
      `| ${rowLabel(s)} | ${trip(d.k10)} | ${trip(d.k200)} | ${trip(x)} (${x.n}) | ${b ? `${fmtMs(b.p50)} / ${fmtMs(b.p95)} (${b.n})${s.bm25.complete ? '' : ` over ${fmtN(s.bm25.indexed)}`}` : '—'} |`,
    );
  }
  out.push('');
  out.push(
    '⁴ ExactVectorStore scores every vector and sorts them all, so k=10 and k=200 cost the same. Exact and BM25 queries stop after SCALE_QUERY_BUDGET_S (120 s, ≥ 10 timed).',
  );
  out.push(
    'Exact and HNSW search the vectors built (at 1M: those built within the HNSW budget); BM25 covers every passage. BM25 scores every passage holding a query term, then sorts them all.',
  );
  out.push('');

  out.push('Recall of HNSW against exact search (same vectors), and ef');
  out.push('');
  out.push(
    '| passages | ef | recall@10 | top-10 score ratio | recall@200 (k=200) | HNSW k=10 p95 | HNSW k=200 p95 | source passage in top 10: HNSW / exact / BM25 |',
  );
  out.push('|---|---|---|---|---|---|---|---|');
  for (const s of sizes) {
    for (const e of s.query.efs) {
      const src =
        e.ef === s.query.defaultEf
          ? `${pctStr(e.sourceHitAt10)} / ${pctStr(s.query.exact.sourceHitAt10)} / ${s.bm25.sourceHitAt10 === undefined ? '—' : pctStr(s.bm25.sourceHitAt10)}`
          : pctStr(e.sourceHitAt10);
      out.push(
        `| ${rowLabel(s)} | ${e.ef}${e.ef === s.query.defaultEf ? ' (app)' : ''} | ${pctStr(e.recallAt10)} | ${(e.scoreRatioAt10 ?? NaN).toFixed(4)} | ${pctStr(e.recallAt200)} | ${fmtMs(e.k10.p95)} | ${fmtMs(e.k200.p95)} | ${src} |`,
      );
    }
  }
  out.push('');
  out.push('Score ratio: sum of the HNSW top-10 similarities ÷ the exact top-10 sum (1 = as close; near-ties missed by recall count here).');
  out.push(
    'Source passage in top 10: how often the passage a question was derived from ranks in the top 10 — low for the hashed vectors, which carry no meaning.',
  );
  out.push(
    `Recall is over the queries timed on exact search (${sizes.map((s) => `${fmtN(s.passages)}: ${s.query.exactQueries}`).join(', ')}). hnswlib searches with max(ef, k), so k=200 runs at ef ≥ 200.`,
  );

  // Projection from the measured sizes (power-law fit of build time; linear memory per vector).
  const full = sizes.filter((s) => s.hnsw.built >= 10_000);
  if (full.length >= 2) {
    const [a, b] = [full[full.length - 2]!, full[full.length - 1]!];
    const exp = Math.log(b.hnsw.buildMs / a.hnsw.buildMs) / Math.log(b.hnsw.built / a.hnsw.built);
    const buildAt = (v: number) => b.hnsw.buildMs * (v / b.hnsw.built) ** exp;
    const bytesPerVector = b.files['vectors.hnsw']! / b.hnsw.built;
    const rssPerVector = (b.hnsw.rssDeltaMB * MiB) / b.hnsw.built;
    const bm25PerPassage = (b.bm25.heapDeltaMB * MiB) / Math.max(1, b.bm25.indexed);
    out.push('');
    out.push(
      `Projection (from ${fmtN(a.hnsw.built)} → ${fmtN(b.hnsw.built)} vectors: build time ∝ n^${exp.toFixed(2)}; ${bytesPerVector.toFixed(0)} B per vector on disk, ${(rssPerVector / 1024).toFixed(1)} KB RSS per vector, ${(bm25PerPassage / 1024).toFixed(1)} KB BM25 heap per passage):`,
    );
    out.push('');
    const vpp = model.vectorsPerPassage;
    out.push(
      `| passages | HNSW build, 1 vector/passage | HNSW build, app's ${vpp.toFixed(1)} vectors/passage | HNSW RSS, app vectors | BM25 heap | real-model embedding |`,
    );
    out.push('|---|---|---|---|---|---|');
    for (const p of [10_000, 100_000, 1_000_000]) {
      const v = Math.round(p * vpp);
      out.push(
        `| ${fmtN(p)} | ≈ ${fmtMs(buildAt(p))} | ≈ ${fmtMs(buildAt(v))} (${(v / 1e6).toFixed(2)}M vectors) | ≈ ${fmtBytes(rssPerVector * v)} | ≈ ${fmtBytes(bm25PerPassage * p)} | ≈ ${fmtMs((p / model.passagesPerSec) * 1000)} |`,
      );
    }
    out.push('All estimates: extrapolated from the measured sizes on this (shared, loaded) 2-core machine.');
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await runSize(Number(process.argv[3]), process.argv[4]!);
    return;
  }
  if (process.argv[2] === '--report') {
    console.log(report(JSON.parse(readFileSync(RESULTS, 'utf8')) as ScaleFile));
    return;
  }
  const sizes = envList('SCALE_SIZES', [10_000, 100_000, 1_000_000]);
  const heapMB = Number(process.env.SCALE_HEAP_MB ?? 10_240);
  const script = fileURLToPath(import.meta.url);
  const previous: SizeResult[] = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as ScaleFile).sizes : [];
  const results = new Map(previous.map((s) => [s.passages, s]));
  const tmp = mkdtempSync(join(tmpdir(), 'yiju-scale-'));
  const t0 = performance.now();
  for (const n of sizes) {
    const out = join(tmp, `${n}.json`);
    log(`\n== ${n.toLocaleString('en')} passages ==`);
    const child = spawnSync(process.execPath, [...process.execArgv, `--max-old-space-size=${heapMB}`, '--expose-gc', script, '--child', String(n), out], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (child.status !== 0 || !existsSync(out)) {
      log(`size ${n} failed (exit ${child.status ?? child.signal}); stopping`);
      break;
    }
    results.set(n, JSON.parse(readFileSync(out, 'utf8')) as SizeResult);
  }
  rmSync(tmp, { recursive: true, force: true });
  const file: ScaleFile = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    embedder: `hashed character unigrams + bigrams, ${DIMENSIONS} dimensions, L2-normalised (model-free)`,
    realModel: realModel(),
    sizes: [...results.values()].sort((a, b) => a.passages - b.passages),
  };
  mkdirSync(fileURLToPath(new URL('../bench/results/', import.meta.url)), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(file, null, 2)}\n`);
  console.log(report(file));
  console.log(`\nthis run: ${sizes.map(fmtN).join(', ')} passages in ${fmtMs(performance.now() - t0)}; results in bench/results/scale.json`);
}

await main();

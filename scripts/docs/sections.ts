/**
 * The generated sections of the documentation: each renderer turns one or more
 * bench/results/*.json files into the Markdown that stands between
 *
 *   <!-- generated:NAME:start -->
 *   <!-- generated:NAME:end -->
 *
 * in README.md or docs/*.md. `npm run docs` rewrites those regions; `npm run docs -- --check`
 * and test/docs/docs.test.ts fail when one differs. To add a section, add a renderer
 * here under its region's name (a region with no renderer, such as `configuration`
 * until one is added, is left as it is).
 */
import { duration, estimate, fixed3, grouped, kB, KiB, machineLine, mbOrGb, ms1, pct0, pct1, s1, sig2, table } from './format.js';
import {
  readResult,
  type EvalResult,
  type HttpResult,
  type LexicalResult,
  type RetrievalResult,
  type ScaleResult,
  type SoakResult,
  type WebResult,
  type WorkerResult,
} from './results.js';

import { settingsTable } from '../../src/config/reference.js';
import { TRUST_CATEGORIES, type TrustRow } from '../../src/eval/trustSet.js';
import { NodeConfigSchema } from '../../src/node/config.js';
import { WorkerConfigSchema } from '../../src/workers/config.js';

export type SectionRenderer = () => string;

const retrieval = () => readResult<RetrievalResult>('retrieval.json');
const http = () => readResult<HttpResult>('http.json');
const scale = () => readResult<ScaleResult>('scale.json');
const soak = () => readResult<SoakResult>('soak.json');
const evaluation = () => readResult<EvalResult>('eval.json');
const lexical = () => readResult<LexicalResult>('lexical.json');
const web = () => readResult<WebResult>('web.json');
const worker = () => readResult<WorkerResult>('worker.json');

const METHODS = { lexical: 'BM25 + jieba', dense: 'dense (bge-small-zh, passages)', rrf: 'RRF of BM25 and dense', hybrid: 'Yiju hybrid' } as const;

function evalTable(set: 'questions' | 'holdout', label: string): string {
  const rows = evaluation()[set];
  const total = rows.hybrid.questions + rows.hybrid.outOfScopeTotal;
  return table(
    [`${label} (${total})`, 'recall@1', 'recall@5', 'MRR', 'out of scope detected', 'answerable rejected'],
    (Object.keys(METHODS) as (keyof typeof METHODS)[]).map((m) => {
      const r = rows[m];
      const cells = [
        METHODS[m],
        fixed3(r.recallAt1),
        fixed3(r.recallAt5),
        fixed3(r.mrr),
        `${r.outOfScopeDetected}/${r.outOfScopeTotal}`,
        `${r.inScopeRejected}`,
      ];
      return m === 'hybrid' ? cells.map((c) => `**${c}**`) : cells;
    }),
  );
}

const refusedNone = (n: number) => (n === 0 ? '**no**' : `**${n}**`);

/** Throughput rows of one endpoint and traffic, connections side by side: "1 / 8 / 32". */
function loadRow(endpoint: string, traffic: 'repeated' | 'unique', h: HttpResult): string[] {
  const runs = h.loads.filter((l) => l.endpoint === endpoint && l.traffic === traffic).sort((a, b) => a.connections - b.connections);
  const join = (f: (l: (typeof runs)[number]) => string | number) => runs.map(f).join(' / ');
  return [
    `\`${endpoint}\``,
    traffic,
    join((l) => l.connections),
    join((l) => Math.round(l.rps)),
    `${join((l) => l.p50)} ms`,
    `${join((l) => l.p90)} ms`,
    `${join((l) => l.p99)} ms`,
    `${runs.reduce((s, l) => s + l.errors + l.non2xx, 0)}`,
  ];
}

const bySize = () => scale().sizes;
const sizeLabel = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
const atEf = (s: ScaleResult['sizes'][number], ef: number) => s.query.efs.find((e) => e.ef === ef)!;

function trustTable(rows: Record<string, TrustRow>): string {
  const f = (x: number | null) => (x === null || Number.isNaN(x) ? '—' : fixed3(x));
  const order = [...TRUST_CATEGORIES, 'all'];
  return table(
    ['category', 'questions', 'recall@1', 'recall@5', 'answerability accuracy', 'answerable refused', 'key point in the first line'],
    order
      .filter((c) => rows[c])
      .map((c) => {
        const r = rows[c]!;
        const kp = r.keyPointTotal ? `${pct0(r.keyPointFirst)} of ${r.keyPointTotal}` : '—';
        const cells = [c, `${r.questions}`, f(r.recallAt1), f(r.recallAt5), f(r.answerability), `${r.answerableRefused}`, kp];
        return c === 'all' ? cells.map((x) => `**${x}**`) : cells;
      }),
  );
}

export const sections: Record<string, SectionRenderer> = {
  // Not a measurement: the settings as declared in src/config, src/node/config.ts and src/workers/config.ts.
  configuration: () => settingsTable({ node: NodeConfigSchema, workers: WorkerConfigSchema }),
  'eval-development': () => evalTable('questions', 'development set'),
  'eval-holdout': () => evalTable('holdout', 'held-out set'),

  'eval-trust': () => trustTable(evaluation().trust),
  'eval-trust-dev': () => trustTable(evaluation().trustDev),
  'eval-trust-dev2': () => trustTable(evaluation().trustDev2 ?? {}),
  // The sets measured at 8191961, before the field vocabulary, speculation, the new details and the figure check of
  // yes/no questions (bench/results/eval-8191961.json).
  'eval-trust-8191961': () => trustTable(readResult<EvalResult>('eval-8191961.json').trust),
  'eval-trust-dev2-8191961': () => trustTable(readResult<EvalResult>('eval-8191961.json').trustDev2 ?? {}),
  // The same set measured at c147bce, before the answers issue's mechanisms (bench/results/eval-baseline.json).
  'eval-trust-baseline': () => trustTable(readResult<EvalResult>('eval-baseline.json').trust),

  'eval-first-line': () => {
    const now = evaluation();
    const before = readResult<EvalResult>('eval-baseline.json');
    const first = (r: EvalResult, set: 'questions' | 'holdout') => pct0(r[set].answers.keyFactFirstLine ?? 0);
    return `A key fact in the answer's first line (answerable questions answered): development set ${first(before, 'questions')} before, **${first(now, 'questions')}** now; held-out set ${first(before, 'holdout')} before, **${first(now, 'holdout')}** now. All key facts anywhere in the answer: ${pct1(before.questions.answers.keyFactRecall)} → ${pct1(now.questions.answers.keyFactRecall)} (development), ${pct1(before.holdout.answers.keyFactRecall)} → ${pct1(now.holdout.answers.keyFactRecall)} (held-out).`;
  },

  'eval-answers': () => {
    const { questions: d, holdout: h } = evaluation();
    const cite = (n: number) => (n === 0 ? 'every citation is its exact span' : `${n} citations do not match their span`);
    return `Answers (\`npm run eval\`, extractive mode): on the development set the answers contain **${pct1(d.answers.keyFactRecall)}** of the ${d.answers.keyFactsTotal} expected key facts, refuse **${d.answers.refusedOutOfScope}/${d.answers.outOfScopeTotal}** out-of-scope questions and ${refusedNone(d.answers.refusedInScope)} answerable one, and ${cite(d.answers.badCitations)}. On the held-out set: ${pct1(h.answers.keyFactRecall)} of ${h.answers.keyFactsTotal} key facts, ${h.answers.refusedOutOfScope}/${h.answers.outOfScopeTotal} out-of-scope refused, ${h.answers.refusedInScope === 0 ? 'no' : h.answers.refusedInScope} answerable question refused, and ${cite(h.answers.badCitations)}.`;
  },

  'lexical-quality': () => {
    const l = lexical();
    const rows = (['development', 'held-out'] as const).map((name) => {
      const { questions, retrieval: r, answers: a } = l.sets[name];
      return [
        `${name} (${questions})`,
        fixed3(r.recallAt1),
        fixed3(r.recallAt5),
        fixed3(r.mrr),
        `${a.refusedOutOfScope}/${a.outOfScopeTotal}`,
        `${a.refusedInScope}`,
        `${pct1(a.keyFactRecall)} of ${a.keyFactsTotal}`,
      ];
    });
    return `${table(['set', 'recall@1', 'recall@5', 'MRR', 'out-of-scope refused', 'answerable refused', 'key facts in answers'], rows)}\n\nThreshold chosen on the development set: \`lexicalOnly\` = ${l.threshold.chosen} (catches ${l.threshold.caught} out-of-scope questions, rejects ${l.threshold.rejected} answerable ones); the default in \`DEFAULT_THRESHOLDS\` is ${l.threshold.default}.`;
  },

  'lexical-vs-node': () => {
    const l = lexical().sets;
    const e = evaluation();
    const dev = l.development;
    const ho = l['held-out'];
    return `Against the Node server's hybrid retrieval (\`npm run eval\`): recall@1 ${fixed3(dev.retrieval.recallAt1)} against ${fixed3(e.questions.hybrid.recallAt1)} on the development set and ${fixed3(ho.retrieval.recallAt1)} against ${fixed3(e.holdout.hybrid.recallAt1)} held out; held-out out-of-scope questions caught: ${ho.answers.refusedOutOfScope}/${ho.answers.outOfScopeTotal} against ${e.holdout.hybrid.outOfScopeDetected}/${e.holdout.hybrid.outOfScopeTotal}; key facts in answers: ${pct1(dev.answers.keyFactRecall)} / ${pct1(ho.answers.keyFactRecall)} (development / held-out) against ${pct1(e.questions.answers.keyFactRecall)} / ${pct1(e.holdout.answers.keyFactRecall)} on Node.`;
  },

  'bench-build': () => {
    const r = retrieval();
    const b = r.build;
    return `${machineLine(r.machine, r.at)} Embedder \`${r.embedder}\`; ${r.corpus.documents} documents, ${r.corpus.chunks} passages, ${r.corpus.vectors} vectors.\n\n${table(
      ['index build', 'time', 'embedding share', 'throughput'],
      [
        [
          `cold (all ${r.corpus.documents} documents)`,
          s1(b.cold.ms),
          `${pct0(b.cold.embedMs / b.cold.ms)} (${b.cold.embedded} texts)`,
          `${Math.round(b.cold.chunksPerSec)} passages/s`,
        ],
        [
          `incremental (${b.incrementalOneFile.changed.length} changed file)`,
          s1(b.incrementalOneFile.ms),
          `${pct0(b.incrementalOneFile.embedMs / b.incrementalOneFile.ms)} (${b.incrementalOneFile.embedded} texts)`,
          '—',
        ],
        ['reopen, nothing changed', s1(b.reopenNoChangeMs), '—', '—'],
      ],
    )}`;
  },

  'bench-query': () => {
    const q = retrieval().query;
    const row = (label: string, d: { p50: number; p95: number; p99: number; n: number }) => [`${label} (${d.n})`, ms1(d.p50), ms1(d.p95), ms1(d.p99)];
    return `${table(
      ['per question', 'p50', 'p95', 'p99'],
      [
        row('query embedding', q.embed),
        row('retrieval: BM25 + HNSW + fusion', q.retrieve),
        row('retrieval total', q.total),
        row('extractive answer, retrieval included', q['extractive answer']),
      ],
    )}\n\nModel load: ${s1(retrieval().modelLoadMs)}.`;
  },

  'http-latency': () => {
    const h = http();
    const l = h.latency;
    const row = (label: string, key: string) => [`${label}`, ms1(l[key]!.p50), ms1(l[key]!.p95), ms1(l[key]!.p99)];
    return `${machineLine(h.machine, h.date)}\n\n${table(
      [`one request at a time (${l['search (cache miss)']!.n} questions)`, 'p50', 'p95', 'p99'],
      [
        row('`/api/search`, cache miss', 'search (cache miss)'),
        row('`/api/search`, cache hit', 'search (cache hit)'),
        row('`/api/ask` (extractive), cache miss', 'ask (cache miss)'),
        row('`/api/ask` (extractive), cache hit', 'ask (cache hit)'),
      ],
    )}`;
  },

  'http-load': () => {
    const h = http();
    return table(
      [`autocannon, ${h.seconds} s each`, 'traffic', 'connections', 'req/s', 'p50', 'p90', 'p99', 'errors'],
      [loadRow('/api/search', 'repeated', h), loadRow('/api/search', 'unique', h), loadRow('/api/ask', 'repeated', h), loadRow('/api/ask', 'unique', h)],
    );
  },

  'http-reading': () => {
    const h = http();
    const q = retrieval().query;
    const runs = (endpoint: string, traffic: string) =>
      h.loads.filter((l) => l.endpoint === endpoint && l.traffic === traffic).sort((a, b) => a.connections - b.connections);
    const best = (endpoint: string) => Math.max(...runs(endpoint, 'repeated').map((l) => l.rps));
    const errors = h.loads.reduce((s, l) => s + l.errors + l.non2xx, 0);
    const bestSearch = best('/api/search');
    const bestAsk = best('/api/ask');
    const target = Math.min(bestSearch, bestAsk) >= 300 ? 'passes' : 'does not reach';
    const unique = runs('/api/search', 'unique');
    const one = unique[0]!;
    const most = unique[unique.length - 1]!;
    const miss = h.latency['search (cache miss)']!;
    return `Against the targets: repeated-question traffic ${target} 300 req/s on both endpoints (best ${Math.round(bestSearch)} req/s on \`/api/search\`, ${Math.round(bestAsk)} on \`/api/ask\`) with ${errors} errors in all runs. \`/api/search\` at low load: p95 ${ms1(h.latency['search (cache hit)']!.p95)} with the query cached; on cache misses autocannon at ${one.connections} connection measures p90 ${one.p90} ms, p97.5 ${one.p97_5} ms and p99 ${one.p99} ms, so p95 is ${one.p97_5 <= 25 ? 'within' : one.p90 <= 25 ? 'around' : 'over'} the 25 ms aim — but the one-at-a-time table's miss round, the first ${miss.n} requests after start-up (model and JIT still warming), has p95 ${ms1(miss.p95)}. The bge-small-zh query embedding alone is ${ms1(q.embed.p50)} (p50) to ${ms1(q.embed.p95)} (p95) here (\`npm run bench\`). New questions are bounded by the model: about ${Math.round(Math.min(...unique.map((l) => l.rps)))}–${Math.round(Math.max(...unique.map((l) => l.rps)))} searches/s, and at ${most.connections} connections its queue makes p99 ${duration(most.p99)}.`;
  },

  scale: () => {
    const sc = scale();
    const rows = sc.sizes.map((s) => {
      const d = atEf(s, s.query.defaultEf);
      return [
        sizeLabel(s.passages),
        `${duration(s.hnsw.buildMs)} (reload ${duration(s.hnsw.loadMs)})`,
        `${d.k10.p95.toPrecision(2)} / ${d.k200.p95.toPrecision(2)} ms`,
        duration(s.query.exact.k200.p95),
        `${duration(s.bm25.query.p50)} / ${duration(s.bm25.query.p95)}`,
        `${((s.hnsw.rssDeltaMB + s.bm25.heapDeltaMB) / 1024).toFixed(1)} GB`,
        estimate(s.passages / sc.realModel.passagesPerSec),
        `${s.machineLoad.start[0]} → ${s.machineLoad.end[0]}`,
      ];
    });
    const ef = sc.sizes[0]!.query.defaultEf;
    return `${machineLine(sc.machine, sc.sizes[sc.sizes.length - 1]!.at)} Embedder: ${sc.embedder}.\n\n${table(['passages', 'HNSW build', `HNSW k=10 / k=200 p95 (ef ${ef})`, 'exact p95', 'BM25 k=200 p50 / p95', 'HNSW + BM25 in memory', 'real-model embedding (estimate)', 'machine load (1 min, start → end)'], rows)}\n\nThe embedding estimate is passages ÷ ${sig2(sc.realModel.passagesPerSec)} passages/s, the real model's cold-build rate, from ${sc.realModel.source}.`;
  },

  'scale-recall': () => {
    const sizes = bySize();
    const ef = sizes[0]!.query.defaultEf;
    const recall = (e: number) => `${sizes.map((s) => Math.round(100 * atEf(s, e).recallAt10)).join(' / ')} %`;
    const worstRatio = Math.min(...sizes.map((s) => atEf(s, ef).scoreRatioAt10));
    const file = (name: string) => sizes.map((s) => mbOrGb(s.files[name]!)).join(' / ');
    return `Recall@10 of HNSW against exact search at ef ${ef} (the default), ${sizes.map((s) => sizeLabel(s.passages)).join(' / ')}: ${recall(ef)} (ef 200: ${recall(200)}; ef 50: ${recall(50)}), the top-10 similarity within ${pct1(1 - worstRatio)} of exact. On disk: ${file('vectors.hnsw')} of HNSW graph; \`bm25.json\` ${file('bm25.json')}.`;
  },

  'scale-limits': () => {
    const sc = scale();
    const big = sc.sizes[sc.sizes.length - 1]!;
    const vpp = sc.realModel.vectorsPerPassage;
    const bytesPerPassage = big.bm25.jsonBytes / big.passages;
    const maxPassages = Math.floor(big.maxStringLength / bytesPerPassage / 1e4) * 1e4;
    const hnswGbPerMillion = big.hnsw.rssDeltaMB / 1024 / (big.passages / 1e6);
    const vectorsPerSec = big.passages / (big.hnsw.buildMs / 1000);
    return [
      `- \`bm25.json\` is one JSON string: ${grouped(big.bm25.jsonBytes)} bytes at ${sizeLabel(big.passages)} passages${big.bm25.jsonError ? ` (\`${big.bm25.jsonError}\`)` : ''}, against V8's maximum string length of ${grouped(big.maxStringLength)}, so \`IndexStore.save\` cannot write it past ≈ ${Math.round(maxPassages / 1e3)}k passages.`,
      `- BM25 holds ≈ ${((big.bm25.heapDeltaMB * 1024) / big.passages).toFixed(1)} KB of heap per passage and answers in ${duration(big.bm25.query.p50)} (p50) / ${duration(big.bm25.query.p95)} (p95) at ${sizeLabel(big.passages)} passages.`,
      `- The app stores ≈ ${vpp.toFixed(1)} vectors per passage (passage, sentences, clauses). HNSW took ${hnswGbPerMillion.toFixed(1)} GB per million vectors and built at ${Math.round(vectorsPerSec)} vectors/s at that size, so ${sizeLabel(big.passages)} passages (≈ ${((vpp * big.passages) / 1e6).toFixed(1)}M vectors) would need ≈ ${Math.round((hnswGbPerMillion * vpp * big.passages) / 1e6)} GB for HNSW alone, at least ${estimate((vpp * big.passages) / vectorsPerSec)} of graph building (the rate falls as the graph grows) and ${estimate(big.passages / sc.realModel.passagesPerSec)} of embedding with the real model.`,
    ].join('\n');
  },

  soak: () => {
    const s = soak();
    return `Last run (${s.date.slice(0, 10)}, ${sig2(s.options.seconds / 60)} minutes at ${s.options.rate} requests/s): **${grouped(s.requests.total)} requests, ${s.errors.total} errors**, p50 ${s.latencyMs.p50} ms, p90 ${s.latencyMs.p90} ms, p99 ${s.latencyMs.p99} ms; heap **${s.heap.startMB.toFixed(1)} → ${s.heap.endMB.toFixed(1)} MB** (bound: ${s.heap.bound}); **${grouped(s.feedback.lines)} of ${grouped(s.feedback.sent)}** feedback records in the file (${s.feedback.missing} missing, ${s.feedback.duplicated} duplicated)${s.ok ? '' : '; **the run failed its checks**'}.`;
  },

  'web-sizes': () => {
    const what: Record<string, string> = {
      'widget.js': '`/widget.js`: the launcher, the shadow root and the styles',
      'widget-panel.js':
        "`/assets/widget-panel.js`: the widget's chat panel (chat UI, marked, DOMPurify, eventsource-parser), fetched when the panel first opens",
      'app.js': 'the chat page',
      'viewer.js': 'the source viewer',
    };
    return table(
      ['bundle', 'what', 'minified', 'gzip -9'],
      web().map((r) => [`\`${r.file}\``, what[r.file] ?? '', kB(r.bytes), kB(r.gzip)]),
    );
  },

  'worker-size': () => {
    const w = worker();
    const mib = (b: number) => `${b / 1024 ** 2} MiB`;
    return `With the ${w.counts.documents} speeches (${w.counts.chunks} passages, ${grouped(w.counts.terms)} BM25 terms): **${(w.bytes / 1024 ** 2).toFixed(1)} MB, ${KiB(w.gzipBytes)} gzip**, of which the packed corpus is ${KiB(w.corpusBytes)} — against Cloudflare's limits of ${mib(w.limits.free)} compressed on the Free plan and ${mib(w.limits.paid)} on Paid. What \`wrangler deploy\` would upload (\`wrangler deploy --dry-run\`): ${Math.round(w.wranglerDryRun.totalUploadKiB)} KiB, **${Math.round(w.wranglerDryRun.gzipKiB)} KiB gzip**.`;
  },
};

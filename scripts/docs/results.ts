import type { AnswerMetrics } from '../../src/eval/answerMetrics.js';
import type { RetrievalMetrics } from '../../src/eval/retrievalMetrics.js';
import type { Load } from '../../bench/http.js';
import type { TrustRow } from '../../src/eval/trustSet.js';
/**
 * The measured results the documentation quotes, read from bench/results/*.json.
 * Each file is written by the script named in its comment; the types list only
 * the fields the docs use.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const readResult = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../bench/results/${name}`, import.meta.url), 'utf8')) as T;

export interface Machine {
  cpus: number;
  cpu: string;
  memoryGiB: number;
  node: string;
}
export interface Dist {
  p50: number;
  p95: number;
  p99: number;
  n: number;
}

/** `npm run bench` (bench/retrieval.ts). */
export interface RetrievalResult {
  machine: Machine;
  embedder: string;
  corpus: { documents: number; chunks: number; vectors: number };
  modelLoadMs: number;
  build: {
    cold: { ms: number; embedMs: number; embedded: number; chunksPerSec: number };
    incrementalOneFile: { ms: number; embedMs: number; embedded: number; changed: string[] };
    reopenNoChangeMs: number;
  };
  query: Record<'embed' | 'retrieve' | 'total' | 'extractive answer', Dist>;
  at: string;
}

/** `npm run bench:http` (bench/http.ts). */
export interface HttpResult {
  date: string;
  machine: Machine;
  seconds: number;
  latency: Record<string, Dist & { max: number }>;
  loads: (Load & { traffic: 'repeated' | 'unique' })[];
}

interface Timing {
  p50: number;
  p95: number;
  p99: number;
  n: number;
}
/** `npm run bench:scale` (bench/scale.ts). */
export interface ScaleResult {
  machine: Machine;
  embedder: string;
  realModel: { id: string; passagesPerSec: number; vectorsPerPassage: number; source: string };
  sizes: {
    passages: number;
    at: string;
    machineLoad: { start: number[]; end: number[] };
    hnsw: { m: number; efConstruction: number; buildMs: number; loadMs: number; rssDeltaMB: number };
    files: Record<string, number>;
    maxStringLength: number;
    query: {
      defaultEf: number;
      efs: { ef: number; k10: Timing; k200: Timing; recallAt10: number; scoreRatioAt10: number }[];
      exact: { k200: Timing };
    };
    bm25: { buildMs: number; heapDeltaMB: number; jsonBytes: number; jsonError?: string; query: Timing };
  }[];
}

/** `npm run soak` (bench/soak.ts). */
export interface SoakResult {
  date: string;
  options: { seconds: number; rate: number };
  requests: { total: number };
  errors: { total: number };
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  heap: { startMB: number; endMB: number; boundMB: number; bound: string };
  feedback: { sent: number; lines: number; missing: number; duplicated: number };
  ok: boolean;
}

/** Rows as the evaluation code computes them, without the lists of misses. */
type RetrievalRow = Omit<RetrievalMetrics, 'misses'>;
/** `keyFactFirstLine` is absent in results written before the metric existed. */
type AnswerRow = Omit<AnswerMetrics, 'missingFacts' | 'keyFactFirstLine'> & { keyFactFirstLine?: number };
/** `npm run eval -- --json > bench/results/eval.json` (scripts/eval.ts). */
export type EvalResult = Record<'questions' | 'holdout', Record<'lexical' | 'dense' | 'rrf' | 'hybrid', RetrievalRow> & { answers: AnswerRow }> & {
  /** The answerability set (test/eval/trust.json), per category and `all` (see src/eval/trustSet.ts). */
  trust: Record<string, TrustRow>;
  /** The answerability development set (test/eval/trust-dev.json), tuned on. */
  trustDev: Record<string, TrustRow>;
  /** The second answerability development set (test/eval/trust-dev2.json), tuned on; absent in older results. */
  trustDev2?: Record<string, TrustRow>;
};

/** `npm run calibrate:lexical` (scripts/calibrate-lexical.ts), its table as JSON. */
export interface LexicalResult {
  threshold: { chosen: number; caught: number; rejected: number; default: number };
  sets: Record<'development' | 'held-out', { questions: number; retrieval: RetrievalRow; answers: AnswerRow }>;
}

/** `npm run build:web` (scripts/build-web.ts writes dist/web/sizes.json; copied here). */
export type WebResult = { file: string; bytes: number; gzip: number }[];

/** `npm run build:worker` (yiju build-worker, src/cli/workerCommands.ts) and `npx wrangler deploy --dry-run`. */
export interface WorkerResult {
  bytes: number;
  gzipBytes: number;
  corpusBytes: number;
  counts: { documents: number; chunks: number; terms: number };
  limits: { free: number; paid: number };
  wranglerDryRun: { totalUploadKiB: number; gzipKiB: number };
}

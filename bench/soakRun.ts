/**
 * The soak run, shared by `npm run soak` (bench/soak.ts: 5 minutes by default)
 * and its CI form (test/reliability/soak.test.ts: about 25 s at a lower rate).
 *
 * A real server (createRuntime + startServer on a loopback port, offline
 * extractive answers) runs in this process; autocannon, also in this process,
 * drives it at a fixed overall rate with a mix of /api/ask, /api/search,
 * /api/chat (server-sent events) and /api/feedback (each with a unique comment,
 * so stored records can be counted). Memory (heapUsed, rss) is sampled every
 * second. Heap and rss include the load generator's own (small, bounded) share.
 *
 * Pass criteria:
 * - no transport error, timeout, non-2xx response or malformed body (warm-up included);
 * - every feedback answered 201 is in the JSONL file exactly once, and the file
 *   holds nothing else of this run (201s == lines);
 * - the heap is flat: the post-GC baseline at the end (the minimum heapUsed over
 *   the last window of samples) exceeds the one at the start (the first window
 *   after warm-up) by at most HEAP_BOUND: 20 MB + 10 % of the start.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import autocannon from 'autocannon';
import { loadConfig } from '../src/node/config.js';
import type { Embedder } from '../src/core/ports.js';
import type { Logger, LogLevel, LogRecord } from '../src/http/log.js';
import { createRuntime } from '../src/node/runtime.js';
import { feedbackPath, startServer } from '../src/node/server.js';

/** Allowed growth of the heap's post-GC baseline over a run. */
export const HEAP_BOUND = { fixedMB: 20, share: 0.1 } as const;

const ROOT = new URL('..', import.meta.url).pathname;
const MB = 1024 * 1024;

export interface SoakOptions {
  /** Length of the measured run (after the warm-up). */
  seconds: number;
  /** Requests per second, all routes together. */
  rate: number;
  /** A first run at the same rate whose memory is not measured (caches fill, code gets compiled). Default: 10 % of `seconds`, 5–30 s. */
  warmupSeconds?: number;
  /** Concurrent connections (each sends at rate / connections). Default: rate / 5, at least 4. */
  connections?: number;
  /** Samples per baseline window (one a second). Default: a fifth of the run, 3–30. */
  windowSeconds?: number;
  /** Environment to configure the server from (default process.env). The chat model is always off: answers are extractive, offline. */
  env?: Record<string, string | undefined>;
  /** A data folder holding the index (feedback is written there too). Default: a temporary copy of the configured data folder's index, removed afterwards. */
  dataDir?: string;
  /** Reuse a loaded embedding model (tests). */
  embedder?: Embedder;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

type Route = 'ask' | 'search' | 'chat' | 'feedback';

export interface MemorySample {
  /** Seconds since the measured run started. */
  t: number;
  heapMB: number;
  rssMB: number;
}

export interface SoakReport {
  date: string;
  machine: { cpus: number; cpu?: string; memoryGiB: number; node: string };
  options: { seconds: number; rate: number; warmupSeconds: number; connections: number; windowSeconds: number; mix: Record<Route, number> };
  /** The measured run's requests, and responses by route and status; the warm-up's separately. */
  requests: {
    total: number;
    perSecond: number;
    byRoute: Record<Route, Record<string, number>>;
    warmup: { total: number; byRoute: Record<Route, Record<string, number>> };
  };
  errors: { total: number; transport: number; timeouts: number; non2xx: number; malformed: number; serverErrorLogs: number; examples: string[] };
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  heap: { startMB: number; endMB: number; growthMB: number; boundMB: number; bound: string; afterGc: { startMB: number; endMB: number } | null };
  rss: { startMB: number; endMB: number; growthMB: number };
  /** Feedback sent, answered 201, and found in the JSONL file; missing: answered 201 but not stored; unknown: stored but never sent. */
  feedback: { sent: number; accepted: number; lines: number; missing: number; duplicated: number; unknown: number };
  samples: MemorySample[];
  ok: boolean;
  failures: string[];
}

/** The route mix, as a sequence each connection walks through: 30 % ask, 30 % search, 20 % chat, 20 % feedback. */
const SEQUENCE: Route[] = ['ask', 'search', 'chat', 'feedback', 'search', 'ask', 'feedback', 'search', 'chat', 'ask'];

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** `gc()` when it can be had (exposed at run time); null otherwise. */
function collector(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

/** A logger that counts records by level and keeps the first few warnings and errors (nothing else, so it does not grow). */
function countingLogger(): Logger & { counts: Record<LogLevel, number>; kept: LogRecord[] } {
  const counts: Record<LogLevel, number> = { debug: 0, info: 0, warn: 0, error: 0 };
  const kept: LogRecord[] = [];
  return {
    counts,
    kept,
    log(level, record) {
      counts[level]++;
      if ((level === 'warn' || level === 'error') && kept.length < 20) kept.push({ level, ...record });
    },
  };
}

/** Questions of the evaluation set (Chinese and English, in and out of scope): after the warm-up, query embeddings come from the cache. */
function questions(): string[] {
  const path = join(ROOT, 'test/eval/questions.json');
  if (existsSync(path)) return (JSON.parse(readFileSync(path, 'utf8')) as { question: string }[]).map((q) => q.question);
  return ['初信初访应该怎么处理？', '乡镇多久排查一次矛盾纠纷？', '谁对信访工作负总责？', '今天北京天气怎么样？'];
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const seconds = Math.max(1, Math.round(options.seconds));
  const rate = Math.max(1, Math.round(options.rate));
  const warmupSeconds = options.warmupSeconds ?? Math.min(30, Math.max(5, Math.round(seconds / 10)));
  const connections = options.connections ?? Math.max(4, Math.ceil(rate / 5));
  const windowSeconds = options.windowSeconds ?? Math.min(30, Math.max(3, Math.floor(seconds / 5)));
  const env = { ...(options.env ?? process.env), YIJU_CHAT_MODEL: '', PORT: '0', HOST: '127.0.0.1', YIJU_RATE_LIMIT: '0' };

  // The data folder: given, or a temporary copy of the configured one's index (so feedback lands in a fresh file).
  let dataDir = options.dataDir;
  let temporary: string | null = null;
  if (!dataDir) {
    temporary = mkdtempSync(join(tmpdir(), 'yiju-soak-'));
    dataDir = temporary;
    const index = join(loadConfig(env).dataDir, 'index');
    if (existsSync(join(index, 'manifest.json'))) cpSync(index, join(dataDir, 'index'), { recursive: true, filter: (src) => !/\.lock$|\.tmp/u.test(src) });
  }
  try {
    const config = loadConfig({ ...env, YIJU_DATA_DIR: dataDir });
    log(`soak: opening the index in ${dataDir} (built if needed)`);
    const rt = await createRuntime(config, { embedder: options.embedder, log });
    const logger = countingLogger();
    const server = await startServer(rt, { logger });
    let closed = false;
    try {
      const feedbackFile = feedbackPath(config.dataDir);
      const runId = `soak-${process.pid}-${Date.now().toString(36)}`;
      const qs = questions();
      let next = 0;
      let feedbackSent = 0;
      const accepted: string[] = [];
      const sent = new Set<string>();
      const byRoute: Record<Route, Record<string, number>> = { ask: {}, search: {}, chat: {}, feedback: {} };
      const malformed: string[] = [];
      let malformedCount = 0;
      const bad = (route: Route, status: number, body: string) => {
        malformedCount++;
        if (malformed.length < 10) malformed.push(`${route} ${status}: ${body.slice(0, 200)}`);
      };

      /** One request of the mix: a fresh question each time (in rotation), a unique comment per feedback. */
      const request = (route: Route): autocannon.Request => {
        const setupRequest = (req: autocannon.Request, context: Record<string, unknown>): autocannon.Request => {
          const question = qs[next++ % qs.length]!;
          switch (route) {
            case 'search':
              return { ...req, method: 'GET', path: `/api/search?q=${encodeURIComponent(question)}&k=5` };
            case 'feedback': {
              const comment = `${runId} #${++feedbackSent}`;
              context.comment = comment;
              sent.add(comment);
              return {
                ...req,
                method: 'POST',
                path: '/api/feedback',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ question, rating: feedbackSent % 2 ? 'up' : 'down', comment }),
              };
            }
            default:
              return {
                ...req,
                method: 'POST',
                path: route === 'ask' ? '/api/ask' : '/api/chat',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ question }),
              };
          }
        };
        const onResponse = (status: number, body: string, context: Record<string, unknown>) => {
          const tally = byRoute[route];
          tally[status] = (tally[status] ?? 0) + 1;
          if (status >= 300) return bad(route, status, body);
          if (route === 'feedback') {
            if (status !== 201 || !body.includes('"stored":true')) return bad(route, status, body);
            accepted.push(String(context.comment));
          } else if (route === 'chat') {
            if (!/^event: done$/mu.test(body) || /^event: error$/mu.test(body)) bad(route, status, body);
          } else if (route === 'ask') {
            if (!body.startsWith('{"id":"ans_') || !body.includes('"citations":')) bad(route, status, body);
          } else if (!body.startsWith('{"results":')) bad(route, status, body);
        };
        return { setupRequest, onResponse } as unknown as autocannon.Request;
      };
      const requests = SEQUENCE.map(request);
      // A fixed number of requests at the fixed rate (not a duration): autocannon then waits for every response,
      // so each feedback the server stored was also seen answered (a duration would drop the ones in flight at the end).
      const fire = (duration: number) =>
        autocannon({
          url: server.url,
          connections,
          overallRate: rate,
          amount: rate * duration,
          requests,
          timeout: 30,
        }) as unknown as Promise<autocannon.Result>;

      log(`soak: ${server.url}; warm-up ${warmupSeconds} s, then ${seconds} s at ${rate} requests/s over ${connections} connections`);
      const gc = collector();
      const settleGc = () => {
        gc?.();
        gc?.();
        return process.memoryUsage().heapUsed / MB;
      };
      const warm = await fire(warmupSeconds);
      const gcStart = gc ? settleGc() : null;
      // A few more seconds of load after the forced GC, so the first window of samples sees the heap as it runs, not freshly collected.
      const rewarm = await fire(Math.min(5, warmupSeconds));
      // Tallies from here on are the measured run's (errors of the warm-up still count: see `errors`).
      const warmupByRoute = structuredClone(byRoute);
      for (const tally of Object.values(byRoute)) for (const status of Object.keys(tally)) delete tally[status];

      const samples: MemorySample[] = [];
      const t0 = performance.now();
      const sample = () => {
        const m = process.memoryUsage();
        samples.push({ t: round((performance.now() - t0) / 1000), heapMB: round(m.heapUsed / MB), rssMB: round(m.rss / MB) });
        const s = samples.at(-1)!;
        if (samples.length % 30 === 0) {
          const done = Object.values(byRoute).reduce((n, r) => n + Object.values(r).reduce((a, b) => a + b, 0), 0);
          log(`soak: ${s.t} s: heap ${s.heapMB} MB, rss ${s.rssMB} MB, ${done} responses so far`);
        }
      };
      sample();
      const sampler = setInterval(sample, 1000);
      let result: autocannon.Result;
      try {
        result = await fire(seconds);
      } finally {
        clearInterval(sampler);
      }
      sample();
      const gcEnd = gc ? settleGc() : null;

      await server.close();
      closed = true;
      const lines = existsSync(feedbackFile)
        ? readFileSync(feedbackFile, 'utf8')
            .split('\n')
            .filter((l) => l.includes(runId))
        : [];
      const stored = new Map<string, number>();
      for (const line of lines) {
        const comment = (JSON.parse(line) as { comment?: string }).comment ?? '';
        stored.set(comment, (stored.get(comment) ?? 0) + 1);
      }
      const missing = accepted.filter((c) => !stored.has(c)).length;
      const unknown = [...stored.keys()].filter((c) => !sent.has(c)).length;
      const duplicated = [...stored.values()].filter((n) => n > 1).length;

      // Post-GC baselines: the minimum of each window of samples.
      const window = Math.max(1, Math.min(windowSeconds, Math.floor(samples.length / 2)));
      const minOf = (xs: MemorySample[], key: 'heapMB' | 'rssMB') => Math.min(...xs.map((s) => s[key]));
      const first = samples.slice(0, window);
      const last = samples.slice(-window);
      const heapStart = minOf(first, 'heapMB');
      const heapEnd = minOf(last, 'heapMB');
      const boundMB = round(HEAP_BOUND.fixedMB + HEAP_BOUND.share * heapStart);

      const errors = {
        transport: result.errors + warm.errors + rewarm.errors,
        timeouts: result.timeouts + warm.timeouts + rewarm.timeouts,
        non2xx: result.non2xx + warm.non2xx + rewarm.non2xx,
        malformed: malformedCount,
        serverErrorLogs: logger.counts.error,
        total: 0,
        examples: [...malformed, ...logger.kept.map((r) => JSON.stringify(r))].slice(0, 10),
      };
      errors.total = errors.transport + errors.timeouts + errors.non2xx + errors.malformed + errors.serverErrorLogs;

      const report: SoakReport = {
        date: new Date().toISOString(),
        machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
        options: { seconds, rate, warmupSeconds, connections, windowSeconds: window, mix: { ask: 0.3, search: 0.3, chat: 0.2, feedback: 0.2 } },
        requests: {
          total: result.requests.total,
          perSecond: round(result.requests.total / result.duration),
          byRoute,
          warmup: { total: warm.requests.total + rewarm.requests.total, byRoute: warmupByRoute },
        },
        errors,
        latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
        heap: {
          startMB: heapStart,
          endMB: heapEnd,
          growthMB: round(heapEnd - heapStart),
          boundMB,
          bound: `${HEAP_BOUND.fixedMB} MB + ${HEAP_BOUND.share * 100} % of the start`,
          afterGc: gcStart !== null && gcEnd !== null ? { startMB: round(gcStart), endMB: round(gcEnd) } : null,
        },
        rss: { startMB: minOf(first, 'rssMB'), endMB: minOf(last, 'rssMB'), growthMB: round(minOf(last, 'rssMB') - minOf(first, 'rssMB')) },
        feedback: { sent: sent.size, accepted: accepted.length, lines: lines.length, missing, duplicated, unknown },
        samples,
        ok: false,
        failures: [],
      };
      if (errors.total > 0)
        report.failures.push(
          `${errors.total} errors (transport ${errors.transport}, timeouts ${errors.timeouts}, non-2xx ${errors.non2xx}, malformed ${errors.malformed}, logged ${errors.serverErrorLogs})`,
        );
      if (accepted.length !== lines.length || missing || duplicated || unknown) {
        report.failures.push(
          `feedback: ${accepted.length} answered 201, ${lines.length} lines stored (${missing} missing, ${duplicated} duplicated, ${unknown} never sent)`,
        );
      }
      if (accepted.length === 0) report.failures.push('feedback: none was sent');
      if (report.heap.growthMB > boundMB) report.failures.push(`heap grew ${report.heap.growthMB} MB (${heapStart} → ${heapEnd} MB), more than ${boundMB} MB`);
      report.ok = report.failures.length === 0;
      return report;
    } finally {
      if (!closed) await server.close();
    }
  } finally {
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
}

/** A few lines for people. */
export function summarise(r: SoakReport): string {
  const routes = Object.entries(r.requests.byRoute)
    .map(
      ([route, statuses]) =>
        `${route} ${Object.entries(statuses)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}`,
    )
    .join(', ');
  return [
    `soak: ${r.options.seconds} s at ${r.options.rate} requests/s (${r.options.connections} connections, after ${r.options.warmupSeconds} s of warm-up) on ${r.machine.cpus} × ${r.machine.cpu ?? 'CPU'}, Node ${r.machine.node}`,
    `requests: ${r.requests.total} (${r.requests.perSecond}/s; ${routes})`,
    `errors: ${r.errors.total} (transport ${r.errors.transport}, timeouts ${r.errors.timeouts}, non-2xx ${r.errors.non2xx}, malformed ${r.errors.malformed}, logged ${r.errors.serverErrorLogs})`,
    `latency: p50 ${r.latencyMs.p50} ms, p90 ${r.latencyMs.p90} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`,
    `heap (minimum of the first and last ${r.options.windowSeconds} samples): ${r.heap.startMB} → ${r.heap.endMB} MB (${r.heap.growthMB >= 0 ? '+' : ''}${r.heap.growthMB} MB; bound ${r.heap.boundMB} MB = ${r.heap.bound})` +
      (r.heap.afterGc ? `; after a forced GC: ${r.heap.afterGc.startMB} → ${r.heap.afterGc.endMB} MB` : ''),
    `rss: ${r.rss.startMB} → ${r.rss.endMB} MB (${r.rss.growthMB >= 0 ? '+' : ''}${r.rss.growthMB} MB)`,
    `feedback: ${r.feedback.sent} sent, ${r.feedback.accepted} answered 201, ${r.feedback.lines} lines in the JSONL file (${r.feedback.missing} missing, ${r.feedback.duplicated} duplicated, ${r.feedback.unknown} never sent)`,
    r.ok ? 'soak: OK' : `soak: FAILED: ${r.failures.join('; ')}`,
  ].join('\n');
}

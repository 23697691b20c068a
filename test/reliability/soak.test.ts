/**
 * The soak's CI form: the same run as `npm run soak` (bench/soakRun.ts), shorter
 * and slower — SOAK_CI_SECONDS (default 25) at SOAK_CI_RATE requests/s (default 20)
 * after a short warm-up — against a real server over the real corpus with the real
 * embedding model, in this process. The same invariants: no error of any kind,
 * every feedback answered 201 stored exactly once (201s == lines), and a flat heap
 * (growth of the post-GC baseline within 20 MB + 10 %).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAP_BOUND, runSoak, summarise, type SoakReport } from '../../bench/soakRun.js';
import { dataDirWithIndex, e2eEnv } from '../helpers/e2eIndex.js';

const SECONDS = Number(process.env.SOAK_CI_SECONDS ?? 25);
const RATE = Number(process.env.SOAK_CI_RATE ?? 20);

let tmp: Awaited<ReturnType<typeof dataDirWithIndex>>;
let report: SoakReport;

beforeAll(async () => {
  tmp = await dataDirWithIndex('yiju-soak-');
  report = await runSoak({ seconds: SECONDS, rate: RATE, warmupSeconds: 5, dataDir: tmp.dir, embedder: tmp.embedder, env: e2eEnv(tmp.dir) });
  console.log(summarise(report));
}, 240_000);

afterAll(() => tmp?.cleanup());

describe(`soak: ${SECONDS} s at ${RATE} requests/s of ask, search, chat and feedback`, () => {
  it('every request was answered: no transport error, timeout, non-2xx, malformed body or logged error', () => {
    expect(report.requests.total).toBe(SECONDS * RATE);
    for (const route of ['ask', 'search', 'chat', 'feedback'] as const)
      expect(Object.keys(report.requests.byRoute[route]), route).toEqual([route === 'feedback' ? '201' : '200']);
    expect(report.errors, summarise(report)).toMatchObject({ total: 0, transport: 0, timeouts: 0, non2xx: 0, malformed: 0, serverErrorLogs: 0 });
  });

  it('every feedback answered 201 is in the JSONL file exactly once (201s == lines)', () => {
    const { sent, accepted, lines, missing, duplicated, unknown } = report.feedback;
    expect(accepted).toBeGreaterThan(0);
    expect({ accepted, lines, missing, duplicated, unknown }).toEqual({ accepted: sent, lines: sent, missing: 0, duplicated: 0, unknown: 0 });
  });

  it(`the heap is flat: its post-GC baseline grew by at most ${HEAP_BOUND.fixedMB} MB + ${HEAP_BOUND.share * 100} %`, () => {
    expect(report.samples.length).toBeGreaterThanOrEqual(SECONDS - 2);
    expect(report.heap.boundMB).toBeCloseTo(HEAP_BOUND.fixedMB + HEAP_BOUND.share * report.heap.startMB, 0);
    expect(report.heap.growthMB, summarise(report)).toBeLessThanOrEqual(report.heap.boundMB);
    if (report.heap.afterGc) expect(report.heap.afterGc.endMB - report.heap.afterGc.startMB, summarise(report)).toBeLessThanOrEqual(report.heap.boundMB);
    expect(report.ok, report.failures.join('; ')).toBe(true);
  });
});

/**
 * `npm run soak`: a bounded load + soak run against a real server on loopback
 * (see bench/soakRun.ts): SOAK_SECONDS (default 300) at SOAK_RATE requests/s
 * (default 50) of /api/ask, /api/search, /api/chat and /api/feedback, after a
 * warm-up (SOAK_WARMUP_SECONDS, default 30), with memory sampled every second.
 * Prints a summary, writes bench/results/soak.json, and exits 1 on any error,
 * any lost feedback, or heap growth beyond 20 MB + 10 %.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSoak, summarise } from './soakRun.js';

const ROOT = new URL('..', import.meta.url).pathname;
const number = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};

const report = await runSoak({
  seconds: number('SOAK_SECONDS', 300),
  rate: number('SOAK_RATE', 50),
  warmupSeconds: process.env.SOAK_WARMUP_SECONDS ? number('SOAK_WARMUP_SECONDS', 30) : undefined,
  log: (line) => process.stderr.write(`${line}\n`),
});
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/soak.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${summarise(report)}\nwritten: bench/results/soak.json\n`);
process.exitCode = report.ok ? 0 : 1;

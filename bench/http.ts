/**
 * `npm run bench:http`: the HTTP API measured against a running server (the
 * CLI's `start`, a separate process), with autocannon as the load generator.
 * Not a test: prints tables and writes bench/results/http.json. The machine is
 * shared and noisy; read distributions and ratios, not single numbers.
 *
 * 1. Latency, one request at a time: /api/search and /api/ask over the 70
 *    development questions; the first round misses the query-embedding cache,
 *    later rounds hit it.
 * 2. Throughput: autocannon at several concurrencies, for repeated questions
 *    (20 questions in rotation: cache hits) and for unique ones (every request a
 *    new question: cache misses, the model runs every time).
 *
 * BENCH_SECONDS (default 10) sets each autocannon run's duration; BENCH_CONNECTIONS (default "1,8,32").
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connectionsList = (process.env.BENCH_CONNECTIONS ?? '1,8,32').split(',').map(Number);
const ROOT = new URL('..', import.meta.url).pathname;
const questions = (JSON.parse(readFileSync(join(ROOT, 'test/eval/questions.json'), 'utf8')) as { question: string; kind: string }[]).map((q) => q.question);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const dist = (xs: number[]) => ({ n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99), max: Math.max(...xs) });
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** `yiju start` on a free port, rate limit off, quiet logs; resolves with its URL once it listens. */
async function startServer() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', YIJU_RATE_LIMIT: '0', YIJU_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on (http:\/\/\S+)/u.exec(err);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`yiju start exited (${code}):\n${err}`)));
  });
  return { url, stop: () => new Promise<void>((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))) };
}

const server = await startServer();
const post = (path: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function timed(run: () => Promise<Response>): Promise<number> {
  const s = performance.now();
  const res = await run();
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return performance.now() - s;
}

process.stderr.write(`bench: server at ${server.url}\n`);
const latency: Record<string, ReturnType<typeof dist>> = {};
for (const [name, run] of [
  ['search', (q: string) => fetch(`${server.url}/api/search?q=${encodeURIComponent(q)}&k=5`)],
  ['ask', (q: string) => post('/api/ask', { question: q })],
] as const) {
  const miss: number[] = [];
  const hit: number[] = [];
  // A fresh suffix makes every question of the first round new to the cache.
  const tag = `（${name}${Date.now() % 1000}）`;
  for (const q of questions) miss.push(await timed(() => run(`${q}${tag}`)));
  for (let r = 0; r < 3; r++) for (const q of questions) hit.push(await timed(() => run(`${q}${tag}`)));
  latency[`${name} (cache miss)`] = dist(miss);
  latency[`${name} (cache hit)`] = dist(hit);
}

/** One autocannon run (also read by the docs' renderers, scripts/docs/results.ts). */
export interface Load {
  endpoint: string;
  traffic: string;
  connections: number;
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  errors: number;
  non2xx: number;
}
const loads: Load[] = [];
for (const endpoint of ['/api/search', '/api/ask'] as const) {
  for (const traffic of ['repeated', 'unique'] as const) {
    for (const connections of connectionsList) {
      let i = 0;
      const next = () => {
        const q = traffic === 'repeated' ? questions[i % 20]! : `${questions[i % questions.length]!}（第${i}问）`;
        i++;
        return q;
      };
      const result = await autocannon({
        url: server.url,
        connections,
        duration: seconds,
        requests: [
          endpoint === '/api/search'
            ? { method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/search?q=${encodeURIComponent(next())}&k=5` }) }
            : {
                method: 'POST',
                path: '/api/ask',
                headers: { 'content-type': 'application/json' },
                setupRequest: (req) => ({ ...req, body: JSON.stringify({ question: next() }) }),
              },
        ],
      });
      const row = {
        endpoint,
        traffic,
        connections,
        requests: result.requests.total,
        rps: result.requests.average,
        p50: result.latency.p50,
        p90: result.latency.p90,
        p97_5: result.latency.p97_5,
        p99: result.latency.p99,
        errors: result.errors + result.timeouts,
        non2xx: result.non2xx,
      };
      loads.push(row);
      process.stderr.write(
        `bench: ${endpoint} ${traffic} c=${connections}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, errors ${row.errors}, non-2xx ${row.non2xx}\n`,
      );
    }
  }
}
await server.stop();

const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/http.json'), `${JSON.stringify({ date: new Date().toISOString(), machine, seconds, latency, loads }, null, 2)}\n`);

process.stdout.write(`\nMachine: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}; server and load generator share it.\n\n`);
process.stdout.write('| one request at a time (70 questions) | n | p50 | p95 | p99 |\n|---|---|---|---|---|\n');
for (const [k, d] of Object.entries(latency)) process.stdout.write(`| ${k} | ${d.n} | ${ms(d.p50)} | ${ms(d.p95)} | ${ms(d.p99)} |\n`);
process.stdout.write(
  `\n| autocannon, ${seconds} s each | traffic | connections | req/s | p50 | p90 | p99 | errors | non-2xx |\n|---|---|---|---|---|---|---|---|---|\n`,
);
for (const l of loads)
  process.stdout.write(
    `| ${l.endpoint} | ${l.traffic} | ${l.connections} | ${l.rps.toFixed(0)} | ${l.p50} ms | ${l.p90} ms | ${l.p99} ms | ${l.errors} | ${l.non2xx} |\n`,
  );

/**
 * The Worker end to end, in workerd, offline: `wrangler dev` (the repo's own
 * wrangler.toml: its [build] command packs the corpus into dist/worker/index.js)
 * started as child processes on free loopback ports, spoken to over real HTTP.
 * The same API contract as the Node server (test/helpers/apiContract.ts), then
 * what only the Worker does: the bundled lexical index, the generative path
 * (the openai SDK inside workerd reaching a local OpenAI-compatible fake) and a
 * bad configuration answered as JSON.
 *
 * `npm run test:worker` (not part of the fast suite: each instance takes a few
 * seconds to build and start). Four instances start in parallel in beforeAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeApiContract, expectErrorResponse, expectMarkersMatch, type ContractAnswer, type ContractCitation } from '../helpers/apiContract.js';
import { withDeadline } from '../helpers/async.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { postJson, readSSE } from '../helpers/http.js';
import { startOpenAIChatServer, type OpenAIChatServer } from '../helpers/openaiChatServer.js';
import { ruleNumber, ruleReply, TOWNSHIP_Q, TOWNSHIP_RULE, townshipReply, userContent } from '../helpers/townshipModel.js';

const WRANGLER = join(REPO_ROOT, 'node_modules', '.bin', 'wrangler');
/** How long one instance may take to build and answer its first request. */
const START_DEADLINE_MS = 90_000;
const KEY = 'yiju-worker-contract-key';

// ---------------------------------------------------------------------------
// wrangler dev as a child process

/** A free loopback port: listen on port 0, read it, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  comm: string;
}

/** Every process, from /proc (Linux); undefined elsewhere. */
function processes(): ProcInfo[] | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/u.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
      const close = stat.lastIndexOf(')');
      const [state, ppid, pgrp] = stat.slice(close + 2).split(' ');
      out.push({ pid: Number(name), ppid: Number(ppid), pgrp: Number(pgrp), state: state!, comm: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** Live (not zombie) processes in process group `pgid` or among `pids`. */
function survivors(pgid: number, pids: ReadonlySet<number>): ProcInfo[] {
  return (processes() ?? []).filter((p) => p.state !== 'Z' && (p.pgrp === pgid || pids.has(p.pid)));
}

/** The descendants of `pid` (wrangler's node, esbuild, the workerd processes). */
function descendants(pid: number): Set<number> {
  const all = processes() ?? [];
  const found = new Set<number>();
  let frontier = [pid];
  while (frontier.length) {
    const next = all.filter((p) => frontier.includes(p.ppid) && !found.has(p.pid)).map((p) => p.pid);
    for (const p of next) found.add(p);
    frontier = next;
  }
  return found;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface WranglerDev {
  name: string;
  url: string;
  child: ChildProcess;
  /** What wrangler printed (stdout and stderr, the last 256 KiB). */
  output(): string;
  /** Kills the whole process group and checks that nothing of it (workerd included) is left. */
  stop(): Promise<void>;
}

const running = new Set<WranglerDev>();
// Should the test process die without afterAll, take the dev servers with it.
process.once('exit', () => {
  for (const dev of running) {
    try {
      process.kill(-dev.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * Starts `wrangler dev` in the repo (its wrangler.toml, its build) on a free port
 * with `vars` injected (--var), local state in a temp folder, and waits until
 * GET /api/health answers as `ready` wants (default: 200).
 */
async function startWranglerDev(
  name: string,
  vars: Record<string, string>,
  ready: (res: Response) => boolean = (res) => res.status === 200,
  config?: string,
): Promise<WranglerDev> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const persist = mkdtempSync(join(tmpdir(), `yiju-wrangler-${name}-`));
  const args = [
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
    '--persist-to',
    persist,
    '--show-interactive-dev-session=false',
    '--live-reload=false',
    '--log-level',
    'log',
    ...(config ? ['--config', config] : []),
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ];
  let child: ChildProcess;
  try {
    // Its own process group (detached), so stop() can signal wrangler, esbuild and workerd at once.
    child = spawn(WRANGLER, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    rmSync(persist, { recursive: true, force: true });
    throw err;
  }
  let log = '';
  const keep = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (log.length > 256 * 1024) log = log.slice(-256 * 1024);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? `code ${code}`}`;
      resolve();
    }),
  );
  child.once('error', (err) => (exited = `failed to start: ${err.message}`));

  const url = `http://127.0.0.1:${port}`;
  const pgid = child.pid!;
  let tree = new Set<number>();
  const dev: WranglerDev = {
    name,
    url,
    child,
    output: () => log,
    async stop() {
      tree = new Set([...tree, ...descendants(pgid)]);
      const signal = (s: NodeJS.Signals) => {
        try {
          process.kill(-pgid, s);
        } catch {
          // the group is empty
        }
      };
      signal('SIGTERM');
      const gone = async (ms: number) => {
        const until = Date.now() + ms;
        while (Date.now() < until) {
          if (exited && !survivors(pgid, tree).length) return true;
          await sleep(50);
        }
        return false;
      };
      if (!(await gone(10_000))) {
        signal('SIGKILL');
        await gone(5_000);
      }
      await Promise.race([exit, sleep(1000)]);
      running.delete(dev);
      rmSync(persist, { recursive: true, force: true });
      const left = survivors(pgid, tree);
      if (left.length) throw new Error(`wrangler dev (${name}) left processes behind: ${left.map((p) => `${p.pid} ${p.comm} (${p.state})`).join(', ')}`);
    },
  };
  running.add(dev);

  const until = Date.now() + START_DEADLINE_MS;
  let last = 'no answer yet';
  for (;;) {
    if (exited) {
      await dev.stop().catch(() => {});
      throw new Error(`wrangler dev (${name}) ${exited} before it was ready; its output:\n${log}`);
    }
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(3000) });
      const body = await res.text();
      if (ready(res)) break;
      last = `${res.status} ${body.slice(0, 300)}`;
    } catch (err) {
      last = String((err as Error).cause ?? err);
    }
    if (Date.now() > until) {
      const output = log;
      await dev.stop().catch(() => {});
      throw new Error(`wrangler dev (${name}) was not ready after ${START_DEADLINE_MS / 1000} s (last: ${last}); its output:\n${output}`);
    }
    await sleep(250);
  }
  tree = descendants(pgid);
  return dev;
}

// ---------------------------------------------------------------------------
// The instances

type Name = 'plain' | 'keyed' | 'generative' | 'misconfigured';
const instances = new Map<Name, WranglerDev>();
/** A folder holding the plain instance's build and a wrangler.toml without the build step. */
let prebuilt: string | undefined;
const prebuiltConfig = () => join(prebuilt!, 'wrangler.toml');
const failures = new Map<Name, Error>();
let fake: OpenAIChatServer;

/** A started instance, or its start-up failure (with wrangler's output) as this test's error. */
function instance(name: Name): WranglerDev {
  const dev = instances.get(name);
  if (dev) return dev;
  throw failures.get(name) ?? new Error(`wrangler dev (${name}) was not started`);
}

beforeAll(async () => {
  fake = await startOpenAIChatServer({ reply: townshipReply });
  // Rate limiting off, as in the Node e2e suites: the contract sends many requests from one client.
  const open = { YIJU_RATE_LIMIT: '0' };
  const starts: Record<Name, () => Promise<WranglerDev>> = {
    plain: () => startWranglerDev('plain', open),
    keyed: () => startWranglerDev('keyed', { ...open, YIJU_API_KEYS: KEY }, undefined, prebuiltConfig()),
    generative: () =>
      startWranglerDev(
        'generative',
        {
          ...open,
          OPENAI_API_KEY: 'sk-test',
          OPENAI_BASE_URL: fake.baseURL,
          YIJU_CHAT_MODEL: 'test-chat',
          YIJU_OPENAI_MAX_RETRIES: '0',
          YIJU_OPENAI_TIMEOUT_MS: '15000',
        },
        undefined,
        prebuiltConfig(),
      ),
    // The Worker answers every request, but with the configuration error.
    misconfigured: () =>
      startWranglerDev(
        'misconfigured',
        { YIJU_RATE_LIMIT: 'abc' },
        (res) => res.status === 500 && (res.headers.get('content-type') ?? '').startsWith('application/json'),
        prebuiltConfig(),
      ),
  };
  // The plain instance runs the repository's own wrangler.toml, build step included. The others serve a copy
  // of what it built (a config without the build step), so four builds never write dist/worker at once.
  const names = Object.keys(starts) as Name[];
  const record = (name: Name, s: PromiseSettledResult<WranglerDev>) =>
    s.status === 'fulfilled' ? instances.set(name, s.value) : failures.set(name, s.reason as Error);
  record('plain', (await Promise.allSettled([starts.plain()]))[0]!);
  prebuilt = mkdtempSync(join(tmpdir(), 'yiju-wrangler-prebuilt-'));
  copyFileSync(join(REPO_ROOT, 'dist', 'worker', 'index.js'), join(prebuilt, 'index.js'));
  const date = /^compatibility_date\s*=\s*"([^"]+)"/mu.exec(readFileSync(join(REPO_ROOT, 'wrangler.toml'), 'utf8'))![1];
  writeFileSync(join(prebuilt, 'wrangler.toml'), `name = "yiju-test"\nmain = "index.js"\ncompatibility_date = "${date}"\n`);
  const rest = names.filter((n) => n !== 'plain');
  const settled = await Promise.allSettled(rest.map((n) => starts[n]()));
  settled.forEach((s, i) => record(rest[i]!, s));
}, START_DEADLINE_MS + 60_000);

afterAll(async () => {
  const stopped = await Promise.allSettled([...running].map((dev) => dev.stop()));
  await fake?.close();
  if (prebuilt) rmSync(prebuilt, { recursive: true, force: true });
  const errors = stopped.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => String(s.reason));
  // No workerd of ours may outlive the suite.
  const ports = [...instances.values()].map((d) => new URL(d.url).port);
  const strays = (processes() ?? []).filter((p) => {
    if (p.state === 'Z' || !p.comm.startsWith('workerd')) return false;
    try {
      const cmd = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8');
      return ports.some((port) => cmd.includes(`127.0.0.1:${port}`));
    } catch {
      return false;
    }
  });
  if (strays.length) errors.push(`workerd processes left behind: ${strays.map((p) => p.pid).join(', ')}`);
  if (errors.length) throw new Error(errors.join('\n'));
}, 60_000);

// ---------------------------------------------------------------------------
// The contract, and what only the Worker does

describeApiContract('workerd (bundled)', () => instance('plain'), { runtime: 'workers', keyed: () => ({ url: instance('keyed').url, key: KEY }) });

interface Health {
  status: string;
  answerMode: string;
  chatModel?: string;
  embedder: string;
  retrieval?: string;
  runtime?: string;
  index: { documents: number; chunks: number; vectors: number; builtAt?: string };
}

describe('the Worker in workerd', () => {
  it('answers from its bundled lexical index: retrieval lexical, no embedder, no vectors, extractive', async () => {
    const res = await fetch(`${instance('plain').url}/api/health`);
    expect(res.status).toBe(200);
    const health = (await res.json()) as Health;
    expect(health).toMatchObject({
      status: 'ok',
      runtime: 'workers',
      retrieval: 'lexical',
      embedder: 'none (bundled lexical index)',
      answerMode: 'extractive',
    });
    expect(health.index.vectors).toBe(0);
    expect(Date.parse(health.index.builtAt ?? '')).not.toBeNaN();
  });

  describe('with an OpenAI-compatible chat model (a local fake)', () => {
    /** Documents as the generative instance serves them. */
    async function expectSpans(citations: ContractCitation[]) {
      for (const c of citations) {
        const doc = (await (await fetch(`${instance('generative').url}/api/documents/${encodeURIComponent(c.docId)}`)).json()) as {
          text: string;
          title: string;
        };
        expect(c.text).toBe(doc.text.slice(c.start, c.end));
        expect(c.title).toBe(doc.title);
      }
    }

    it('health reports the generative mode and the chat model', async () => {
      const health = (await (await fetch(`${instance('generative').url}/api/health`)).json()) as Health;
      expect(health).toMatchObject({ answerMode: 'generative', retrieval: 'lexical', runtime: 'workers' });
      expect(health.chatModel).toContain('test-chat');
    });

    it('/api/ask: the openai SDK inside workerd calls the model; the answer is generative with verified citations', async () => {
      const dev = instance('generative');
      const before = fake.chatRequests().length;
      const res = await fetch(`${dev.url}/api/ask`, postJson({ question: TOWNSHIP_Q }));
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const a = JSON.parse(text) as ContractAnswer;

      const requests = fake.chatRequests().slice(before);
      expect(requests, `the fake model got no request; wrangler output:\n${dev.output().slice(-4000)}`).toHaveLength(1);
      const request = requests[0]!;
      expect(request.body.model).toBe('test-chat');
      expect(request.headers.authorization).toBe('Bearer sk-test');
      // The openai SDK's own headers: it is the SDK, running in workerd, that made the call.
      expect(request.headers['x-stainless-lang']).toBe('js');
      expect(request.headers['x-stainless-package-version']).toMatch(/^\d+\.\d+\.\d+/u);
      expect(userContent(request.body)).toContain(TOWNSHIP_Q);
      const n = ruleNumber(request.body);
      expect(n, 'lexical retrieval did not give the model the passage with the township rule').toBeGreaterThan(0);

      expect(a.fallback, `fell back: ${a.fallback}; ${a.answer}`).toBeUndefined();
      expect(a).toMatchObject({ mode: 'generative', grounded: true, answer: ruleReply(n) });
      expect(a.citations.length).toBeGreaterThan(0);
      expectMarkersMatch(a);
      await expectSpans(a.citations);
      expect(a.citations.some((c) => c.text.includes(TOWNSHIP_RULE))).toBe(true);
    });

    it('the openai SDK in the Worker identifies itself to the model provider as OpenAI/JS (User-Agent)', async () => {
      const before = fake.chatRequests().length;
      const res = await fetch(`${instance('generative').url}/api/ask`, postJson({ question: TOWNSHIP_Q }));
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      const request = fake.chatRequests().slice(before)[0];
      expect(request, 'the fake model got no request').toBeDefined();
      // The SDK builds it from its client class's name: `${this.constructor.name}/JS ${VERSION}`.
      expect(request!.headers['user-agent'] ?? '').toMatch(/^OpenAI\/JS \d/u);
    });

    it('/api/chat streams the model: citations, deltas that make up the answer, done', async () => {
      const dev = instance('generative');
      const before = fake.chatRequests().length;
      const res = await fetch(`${dev.url}/api/chat`, postJson({ question: TOWNSHIP_Q }));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type') ?? '').toMatch(/^text\/event-stream\b/u);
      const events: { event?: string; data: string }[] = [];
      await withDeadline(
        (async () => {
          for await (const e of readSSE(res)) events.push(e);
        })(),
        30_000,
        'the event stream never ended',
      );
      const names = events.map((e) => e.event);
      expect(names[0]).toBe('citations');
      expect(names.at(-1)).toBe('done');
      for (const name of names.slice(1, -1)) expect(name).toBe('delta');

      const requests = fake.chatRequests().slice(before);
      expect(requests).toHaveLength(1);
      expect(requests[0]!.body.stream).toBe(true);
      const n = ruleNumber(requests[0]!.body);
      const citations = (JSON.parse(events[0]!.data) as { citations: ContractCitation[] }).citations;
      const deltas = events.slice(1, -1).map((e) => (JSON.parse(e.data) as { text: string }).text);
      const done = JSON.parse(events.at(-1)!.data) as ContractAnswer;
      // The fake streams two characters per chunk: several deltas, passed through as they came.
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join('')).toBe(ruleReply(n));
      expect(done.fallback).toBeUndefined();
      expect(done).toMatchObject({ mode: 'generative', grounded: true, answer: ruleReply(n) });
      await expectSpans(citations);
      await expectSpans(done.citations);
      for (const c of done.citations) expect(citations.find((x) => x.n === c.n)).toEqual(c);
    });
  });

  describe('with a bad configuration (YIJU_RATE_LIMIT=abc)', () => {
    it('every request gets a 500 JSON misconfigured error naming YIJU_RATE_LIMIT, without a stack', async () => {
      const { url } = instance('misconfigured');
      const requests: [string, RequestInit?][] = [
        ['/api/health'],
        ['/'],
        ['/api/documents'],
        ['/api/ask', postJson({ question: '初信初访应该怎么处理？' })],
        ['/v1/models'],
        ['/widget.js'],
        ['/nope'],
      ];
      for (const [path, init] of requests) await expectErrorResponse(await fetch(`${url}${path}`, init), 500, 'misconfigured', /YIJU_RATE_LIMIT/u);
    });
  });
});

describe('wrangler deploy --dry-run (what a real deployment uploads, checked offline)', () => {
  const deployDryRun = (config: string, outdir: string) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(WRANGLER, ['deploy', '--dry-run', '--outdir', outdir, '--config', config], {
        cwd: REPO_ROOT,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
      child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
      child.once('exit', (code) => resolve({ code, output }));
    });

  it('the repository wrangler.toml builds and validates; the upload is within the Free plan limit', async () => {
    const out = mkdtempSync(join(tmpdir(), 'yiju-dry-run-'));
    try {
      const { code, output } = await deployDryRun(join(REPO_ROOT, 'wrangler.toml'), out);
      expect(code, output).toBe(0);
      const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/u.exec(output);
      expect(size, output).not.toBeNull();
      expect(Number(size![2])).toBeLessThan(3 * 1024);
      expect(existsSync(join(out, 'index.js'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  it('the commented Vectorize, Workers AI and KV lines of wrangler.toml are valid configuration once uncommented', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yiju-dry-run-bindings-'));
    try {
      // Uncomment the optional bindings exactly as the README says, with a made-up KV id.
      const toml = readFileSync(join(REPO_ROOT, 'wrangler.toml'), 'utf8')
        .replace(/^# (\[ai\]|binding = "AI"|\[\[vectorize\]\]|binding = "VECTORIZE"|index_name = "yiju"|\[\[kv_namespaces\]\]|binding = "FEEDBACK")$/gmu, '$1')
        .replace(/^# id = "<[^"]*>"$/mu, 'id = "0123456789abcdef0123456789abcdef"')
        .replace(/^main = "dist\/worker\/index.js"$/mu, `main = "${join(REPO_ROOT, 'dist', 'worker', 'index.js')}"`)
        .replace(/^\[build\][\s\S]*?(?=^\[vars\])/mu, '');
      writeFileSync(join(dir, 'wrangler.toml'), toml);
      const { code, output } = await deployDryRun(join(dir, 'wrangler.toml'), join(dir, 'out'));
      expect(code, output).toBe(0);
      expect(output).toMatch(/env\.AI\b/u);
      expect(output).toMatch(/env\.VECTORIZE \(yiju\)/u);
      expect(output).toMatch(/env\.FEEDBACK \(0123456789abcdef0123456789abcdef\)/u);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/**
 * The real CLI (`node --import tsx src/cli/main.ts start`, what `npm start` runs)
 * as a child process: it boots, logs JSON lines, and on SIGTERM / SIGINT finishes
 * the requests in flight, keeps the feedback it acknowledged, and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FeedbackRecord } from '../../src/core/feedback/types.js';
import { feedbackPath } from '../../src/node/server.js';
import { withDeadline } from '../helpers/async.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { dataDirWithIndex, e2eEnv } from '../helpers/e2eIndex.js';
import { postJson, readSSE } from '../helpers/http.js';
import { startOpenAIChatServer, type OpenAIChatServer } from '../helpers/openaiChatServer.js';

interface Child {
  process: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal's name if it was killed by one). */
  exited: Promise<number | string | null>;
}

const children: ChildProcess[] = [];
let tmp: { dir: string; cleanup: () => void };
let fixture: OpenAIChatServer;

/** Starts `yiju start` and waits for its "listening on" line. */
async function startChild(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], {
    cwd: REPO_ROOT,
    env: e2eEnv(tmp.dir, { YIJU_DEBUG: '', ...env }) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = await withDeadline(
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = /listening on (http:\/\/\S+)/u.exec(err);
        if (m) resolve(m[1]!);
      };
      child.stderr!.on('data', check);
      void exited.then((code) => reject(new Error(`yiju start exited (${code}) before listening:\n${err}`)));
    }),
    150_000,
    'yiju start never printed "listening on"',
  ).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}\nstderr:\n${err}`);
  });
  return { process: child, url, stdout: () => out, stderr: () => err, exited };
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`stdout line is not JSON: ${l}`);
      }
    });

const feedbackRecords = (): FeedbackRecord[] =>
  existsSync(feedbackPath(tmp.dir))
    ? readFileSync(feedbackPath(tmp.dir), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as FeedbackRecord)
    : [];

/** The error a refused fetch carries (undici puts the socket error in `cause`). */
async function connectionError(url: string): Promise<string | undefined> {
  try {
    await fetch(url);
    return undefined;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return cause?.code ?? String(err);
  }
}

beforeAll(async () => {
  // The children reuse this run's index of the real corpus (copied into their data folder): boots stay short.
  tmp = await dataDirWithIndex('yiju-e2e-shutdown-');
  fixture = await startOpenAIChatServer({ reply: '乡镇坚持每半月一排查制度[1]。' });
}, 180_000);

afterEach(() => {
  // A child a failed test left running.
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

afterAll(async () => {
  await fixture?.close();
  tmp?.cleanup();
});

describe('yiju start (child process)', () => {
  it('SIGTERM: new connections are refused, the in-flight answers (a stream and several /api/ask) complete, acknowledged feedback is on disk, exit 0', async () => {
    const child = await startChild({
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: fixture.baseURL,
      YIJU_CHAT_MODEL: 'test-chat',
      YIJU_OPENAI_TIMEOUT_MS: '20000',
      YIJU_OPENAI_MAX_RETRIES: '0',
      // Long enough that the grace period never cuts the in-flight answer on a slow machine.
      YIJU_SHUTDOWN_GRACE_MS: '120000',
    });

    // Boot sanity: health over HTTP, generative mode, JSON log lines on stdout.
    const health = await fetch(`${child.url}/api/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { answerMode: string }).answerMode).toBe('generative');

    // An answer the model writes slowly: one 2-character chunk every 100 ms (a few seconds).
    const answer = '乡镇坚持每半月一排查制度[1]，'.repeat(3);
    fixture.next({ kind: 'trickle', intervalMs: 100, content: answer });
    const res = await fetch(`${child.url}/api/chat`, postJson({ question: '乡镇多久排查一次矛盾纠纷？' }));
    expect(res.status).toBe(200);
    const events: { event?: string; data: string }[] = [];
    const reader = readSSE(res);
    // Wait until the answer is really being written (citations and a first delta are in).
    await withDeadline(
      (async () => {
        for (;;) {
          const { value, done } = await reader.next();
          if (done) break;
          events.push(value);
          if (value.event === 'delta') break;
        }
      })(),
      60_000,
      'the answer never started streaming',
    );
    expect(events.map((e) => e.event)).toEqual(['citations', 'delta']);

    // Several plain answers in flight too: each completion body trickles in over about a second and a half.
    const asks = 4;
    for (let i = 0; i < asks; i++) fixture.next({ kind: 'trickle', intervalMs: 200, content: '乡镇坚持每半月一排查制度[1]。' });
    const before = fixture.chatRequests().length;
    const inFlight = Array.from({ length: asks }, () =>
      fetch(`${child.url}/api/ask`, postJson({ question: '乡镇多久排查一次矛盾纠纷？' })).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { answer: string; id: string; mode: string; fallback?: string; citations: unknown[] },
      })),
    );
    // Each request is in flight on the server once the model has been asked for it.
    await withDeadline(
      (async () => {
        while (fixture.chatRequests().length < before + asks) await new Promise((r) => setTimeout(r, 10));
      })(),
      60_000,
      'the /api/ask requests never reached the model',
    );

    // Feedback acknowledged while the answers are in flight.
    const fb = await fetch(`${child.url}/api/feedback`, postJson({ question: '乡镇多久排查一次矛盾纠纷？', rating: 'up', comment: '关机前的反馈' }));
    expect(fb.status).toBe(201);
    const { id: feedbackId } = (await fb.json()) as { id: string };

    child.process.kill('SIGTERM');
    await withDeadline(
      (async () => {
        while (!child.stderr().includes('SIGTERM: finishing in-flight requests')) await new Promise((r) => setTimeout(r, 10));
      })(),
      30_000,
      'the server never acknowledged SIGTERM',
    );
    // Shutdown has begun: the listener is closed, new connections are refused (the answer may still be streaming).
    expect(await connectionError(`${child.url}/api/health`)).toBe('ECONNREFUSED');

    // The in-flight answer still arrives whole.
    await withDeadline(
      (async () => {
        for await (const e of { [Symbol.asyncIterator]: () => reader }) events.push(e);
      })(),
      60_000,
      'the in-flight answer never finished after SIGTERM',
    );
    const names = events.map((e) => e.event);
    expect(names.at(-1)).toBe('done');
    expect(names).not.toContain('error');
    expect(names.slice(1, -1).every((n) => n === 'delta')).toBe(true);
    const deltas = events.filter((e) => e.event === 'delta').map((e) => (JSON.parse(e.data) as { text: string }).text);
    // Every chunk the model wrote reached the client (nothing was cut at shutdown).
    expect(deltas.join('')).toBe(answer);
    const done = JSON.parse(events.at(-1)!.data) as { answer: string; mode: string; citations: { text: string }[] };
    expect(done.mode).toBe('generative');
    expect(done.citations.length).toBeGreaterThan(0);

    // So do the plain answers: the model's whole answer arrived for each (no fallback).
    const results = await withDeadline(Promise.all(inFlight), 60_000, 'in-flight /api/ask requests never finished after SIGTERM');
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.body.id).toMatch(/^ans_/u);
      expect(r.body.mode).toBe('generative');
      expect(r.body.fallback).toBeUndefined();
      expect(r.body.answer).toContain('每半月一排查');
      expect(r.body.citations.length).toBeGreaterThan(0);
    }

    expect(await withDeadline(child.exited, 60_000, 'the server did not exit after SIGTERM')).toBe(0);

    // The acknowledged feedback is in the file.
    expect(feedbackRecords().find((r) => r.id === feedbackId)).toMatchObject({ rating: 'up', comment: '关机前的反馈' });

    // Nobody is listening after the exit either.
    expect(await connectionError(`${child.url}/api/health`)).toBe('ECONNREFUSED');

    // Logs: stdout is JSON lines only, with the request lines and the shutdown; stderr has no stack.
    const lines = jsonLines(child.stdout());
    expect(lines.find((l) => l.msg === 'request' && l.path === '/api/chat')).toMatchObject({ status: 200, stream: true, mode: 'generative' });
    expect(lines.find((l) => l.msg === 'request' && l.path === '/api/chat')!.aborted).toBeUndefined();
    expect(lines.find((l) => l.msg === 'request' && l.path === '/api/feedback')).toMatchObject({ status: 201 });
    expect(lines.filter((l) => l.msg === 'request' && l.path === '/api/ask' && l.status === 200)).toHaveLength(asks);
    const msgs = lines.map((l) => l.msg);
    expect(msgs).toContain('shutting down');
    expect(msgs.at(-1)).toBe('stopped');
    // The requests finished before the server reported it had stopped.
    expect(msgs.lastIndexOf('request')).toBeLessThan(msgs.indexOf('stopped'));
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(child.stderr()).toContain('SIGTERM: finishing in-flight requests');
    expect(child.stderr()).not.toContain('    at ');
    expect(fixture.pending()).toEqual({ replies: 0, behaviours: 0 });
  }, 180_000);

  it('SIGINT (Ctrl-C) on an idle server: stops cleanly with exit code 0', async () => {
    const child = await startChild({});
    expect(child.stderr()).toMatch(/mode: offline extractive answers/u);
    const res = await fetch(`${child.url}/api/ask`, postJson({ question: '初信初访应该怎么处理？' }));
    expect(res.status).toBe(200);
    const fb = await fetch(`${child.url}/api/feedback`, postJson({ question: '初信初访应该怎么处理？', rating: 'down' }));
    expect(fb.status).toBe(201);
    const { id } = (await fb.json()) as { id: string };

    child.process.kill('SIGINT');
    expect(await withDeadline(child.exited, 60_000, 'the server did not exit after SIGINT')).toBe(0);
    expect(feedbackRecords().find((r) => r.id === id)).toMatchObject({ rating: 'down' });
    expect(await connectionError(`${child.url}/api/health`)).toBe('ECONNREFUSED');
    const msgs = jsonLines(child.stdout()).map((l) => l.msg);
    expect(msgs).toEqual(expect.arrayContaining(['request', 'shutting down', 'stopped']));
    expect(child.stderr()).toContain('SIGINT: finishing in-flight requests');
    expect(child.stderr()).not.toContain('    at ');
  }, 180_000);
});

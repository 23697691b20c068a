/**
 * The HTTP API end to end: a real runtime (real corpus, real embedding model)
 * served by startServer on an ephemeral port, spoken to over real HTTP with fetch
 * (and raw sockets for what fetch cannot send).
 */
import { API_ENDPOINTS } from '../helpers/apiContract.js';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIChatModel } from '../../src/adapters/chat/openaiChatModel.js';
import { loadConfig, type Config } from '../../src/node/config.js';
import type { FeedbackRecord } from '../../src/core/feedback/types.js';
import { createRuntime, type Runtime } from '../../src/node/runtime.js';
import { feedbackPath, startServer, type RunningServer } from '../../src/node/server.js';
import { withDeadline } from '../helpers/async.js';
import { dataDirWithIndex, e2eEnv } from '../helpers/e2eIndex.js';
import { memoryLogger, postJson, readSSE } from '../helpers/http.js';
import { startOpenAIChatServer, type OpenAIChatServer } from '../helpers/openaiChatServer.js';
import type { Citation } from '../../src/core/answer/types.js';

interface Answer {
  id: string;
  answer: string;
  mode: 'extractive' | 'generative';
  grounded: boolean;
  citations: Citation[];
  fallback?: string;
  standaloneQuestion: string;
  timings: { retrievalMs: number; generationMs: number; totalMs: number };
}
interface Doc {
  id: string;
  title: string;
  chars: number;
  text: string;
}
interface ErrorBody {
  error: { code: string; message: string };
}

let tmp: { dir: string; cleanup: () => void };
let config: Config;
let rt: Runtime;
let server: RunningServer;
let logger: ReturnType<typeof memoryLogger>;
/** The documents as the API serves them (GET /api/documents/{id}), by id. */
const docs = new Map<string, Doc>();

beforeAll(async () => {
  // A temp data folder holding a copy of this run's index of the real corpus (built once per run).
  const prepared = await dataDirWithIndex('yiju-e2e-');
  tmp = prepared;
  config = loadConfig(e2eEnv(tmp.dir));
  rt = await createRuntime(config, { embedder: prepared.embedder });
  logger = memoryLogger();
  server = await startServer(rt, { logger });
}, 180_000);

afterAll(async () => {
  await server?.close();
  tmp?.cleanup();
});

const url = (path: string) => `${server.url}${path}`;

async function json<T>(res: Response): Promise<T> {
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/u);
  return (await res.json()) as T;
}

/** A document as served over HTTP (cached). */
async function doc(id: string): Promise<Doc> {
  if (!docs.has(id)) {
    const res = await fetch(url(`/api/documents/${encodeURIComponent(id)}`));
    expect(res.status).toBe(200);
    docs.set(id, await json<Doc>(res));
  }
  return docs.get(id)!;
}

/** Every citation is the exact span of the served document it names. */
async function expectExactSpans(citations: Citation[]) {
  for (const c of citations) {
    const d = await doc(c.docId);
    expect(c.text, `citation [${c.n}] is not the document's text slice`).toBe(d.text.slice(c.start, c.end));
    expect(c.end).toBeGreaterThan(c.start);
    expect(c.title).toBe(d.title);
  }
}

const markers = (answer: string) => [...new Set([...answer.matchAll(/\[(\d+)\]/gu)].map((m) => Number(m[1])))];

/** Each marker has one citation and each citation is used. */
function expectMarkersMatch(a: { answer: string; citations: Citation[] }) {
  const used = markers(a.answer);
  expect(used.length).toBeGreaterThan(0);
  expect(a.citations.map((c) => c.n).sort((x, y) => x - y)).toEqual([...used].sort((x, y) => x - y));
}

const requestLines = (log: ReturnType<typeof memoryLogger>, path: string) => log.records.filter((r) => r.msg === 'request' && r.path === path);

/** Polls `check` until it is true (no timing assertion: the deadline only stops a hang). */
async function eventually(check: () => boolean, message: string, ms = 15_000): Promise<void> {
  await withDeadline(
    (async () => {
      while (!check()) await new Promise((r) => setTimeout(r, 20));
    })(),
    ms,
    message,
  );
}

describe('GET /api/health', () => {
  it('is 200 with the index counts and the extractive mode', async () => {
    const res = await fetch(url('/api/health'));
    expect(res.status).toBe(200);
    const body = await json<{
      status: string;
      answerMode: string;
      embedder: string;
      index: { loaded: boolean; documents: number; chunks: number; vectors: number };
    }>(res);
    expect(body.status).toBe('ok');
    expect(body.answerMode).toBe('extractive');
    expect(body.embedder).toBe(rt.embedder.id);
    expect(body.index).toMatchObject({ loaded: true, ...rt.opened.manifest.counts });
    expect(body.index.documents).toBe(5);
  });
});

describe('POST /api/ask', () => {
  it('answers with [n] markers whose citations are exact spans of the served documents', async () => {
    const res = await fetch(url('/api/ask'), postJson({ question: '初信初访应该怎么处理？' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const a = await json<Answer>(res);
    expect(a.id).toMatch(/^ans_\w+$/u);
    expect(a.mode).toBe('extractive');
    expect(a.grounded).toBe(true);
    expect(a.answer).toMatch(/\[1\]/u);
    expectMarkersMatch(a);
    await expectExactSpans(a.citations);
    expect(a.answer).toContain('初信初访');
    expect(a.timings.totalMs).toBeGreaterThanOrEqual(0);
  });

  it('rewrites a follow-up with its history into a standalone question', async () => {
    const res = await fetch(
      url('/api/ask'),
      postJson({
        question: '那乡镇呢？',
        history: [
          { role: 'user', content: '市县两级多久排查一次矛盾纠纷？' },
          { role: 'assistant', content: '每周一排查。' },
        ],
      }),
    );
    expect(res.status).toBe(200);
    const a = await json<Answer>(res);
    expect(a.standaloneQuestion).toContain('乡镇');
    expect(a.standaloneQuestion).not.toBe('那乡镇呢？');
    expect(a.grounded).toBe(true);
    await expectExactSpans(a.citations);
    expect(a.citations.some((c) => c.text.includes('乡镇'))).toBe(true);
  });

  it('says plainly when the speeches do not answer (grounded: false, no citations)', async () => {
    const a = await json<Answer>(await fetch(url('/api/ask'), postJson({ question: '今天北京天气怎么样？' })));
    expect(a.grounded).toBe(false);
    expect(a.citations).toEqual([]);
    expect(a.answer.length).toBeGreaterThan(0);
  });

  it('rejects invalid input with a 400 JSON error naming the problem', async () => {
    const empty = await fetch(url('/api/ask'), postJson({ question: '   ' }));
    expect(empty.status).toBe(400);
    expect((await json<ErrorBody>(empty)).error.message).toMatch(/question is empty/u);
    const notJson = await fetch(url('/api/ask'), postJson('{bad'));
    expect(notJson.status).toBe(400);
    expect((await json<ErrorBody>(notJson)).error.code).toBe('invalid_json');
    const wrongType = await fetch(url('/api/ask'), { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"question":"a"}' });
    expect(wrongType.status).toBe(415);
  });
});

describe('GET /api/search', () => {
  it('returns at most k passages, best first, each an exact span', async () => {
    const res = await fetch(url(`/api/search?q=${encodeURIComponent('越级访怎么处理')}&k=3`));
    expect(res.status).toBe(200);
    const body = await json<{ results: Citation[]; inScope: boolean }>(res);
    expect(body.inScope).toBe(true);
    expect(body.results.length).toBeGreaterThan(0);
    expect(body.results.length).toBeLessThanOrEqual(3);
    const scores = body.results.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const r of body.results) {
      const d = await doc(r.docId);
      expect(r.text).toBe(d.text.slice(r.start, r.end));
    }
    expect(body.results.some((r) => r.text.includes('越级'))).toBe(true);
  });

  it('400 without q', async () => {
    const res = await fetch(url('/api/search'));
    expect(res.status).toBe(400);
    expect((await json<ErrorBody>(res)).error.code).toBe('invalid_request');
  });
});

describe('GET /api/documents', () => {
  it('lists the corpus sorted by id, and each document serves its canonical text', async () => {
    const res = await fetch(url('/api/documents'));
    expect(res.status).toBe(200);
    const { documents } = await json<{ documents: Omit<Doc, 'text'>[] }>(res);
    expect(documents).toHaveLength(5);
    const ids = documents.map((d) => d.id);
    expect(ids).toEqual([...ids].sort());
    for (const summary of documents) {
      const d = await doc(summary.id);
      expect(d.id).toBe(summary.id);
      expect(d.title).toBe(summary.title);
      expect(d.text.length).toBe(summary.chars);
      expect(d.text).toBe(rt.opened.index.documents.get(summary.id)!.text);
    }
  });

  it('404 JSON for an unknown id', async () => {
    const res = await fetch(url('/api/documents/no_such_doc'));
    expect(res.status).toBe(404);
    expect((await json<ErrorBody>(res)).error.code).toBe('not_found');
  });
});

describe('POST /api/feedback', () => {
  const fileRecords = (): FeedbackRecord[] =>
    existsSync(feedbackPath(config.dataDir))
      ? readFileSync(feedbackPath(config.dataDir), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as FeedbackRecord)
      : [];

  it('stores the rating with the remembered question and answer in the JSONL file before the 201', async () => {
    const question = '乡镇多久排查一次矛盾纠纷？';
    const a = await json<Answer>(await fetch(url('/api/ask'), postJson({ question })));
    const res = await fetch(url('/api/feedback'), postJson({ answerId: a.id, rating: 'up', comment: '  准确  ' }));
    expect(res.status).toBe(201);
    const body = await json<{ id: string; stored: boolean }>(res);
    expect(body.stored).toBe(true);
    expect(body.id).toMatch(/^fb_\w+$/u);
    // Read the file right away: the line was written (and synced) before the response.
    const line = fileRecords().find((r) => r.id === body.id);
    expect(line).toBeDefined();
    expect(line).toMatchObject({ id: body.id, rating: 'up', answerId: a.id, question, comment: '准确' });
    expect(line!.answer).toEqual({
      text: a.answer,
      mode: a.mode,
      grounded: a.grounded,
      citations: a.citations.map(({ docId, start, end }) => ({ docId, start, end })),
    });
    expect(Date.parse(line!.receivedAt)).not.toBeNaN();
  });

  it('accepts a question instead of an answer id', async () => {
    const res = await fetch(url('/api/feedback'), postJson({ question: '谁对信访工作负总责？', rating: 'down' }));
    expect(res.status).toBe(201);
    const { id } = await json<{ id: string }>(res);
    expect(fileRecords().find((r) => r.id === id)).toMatchObject({ rating: 'down', question: '谁对信访工作负总责？' });
  });

  it('20 concurrent feedback posts each land exactly once', async () => {
    const before = fileRecords().length;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(url('/api/feedback'), postJson({ question: `问题 ${i}`, rating: i % 2 ? 'up' : 'down' })).then((r) => json<{ id: string }>(r)),
      ),
    );
    const records = fileRecords();
    expect(records).toHaveLength(before + 20);
    for (const { id } of results) expect(records.filter((r) => r.id === id)).toHaveLength(1);
  });

  it('rejects a bad rating or a missing answerId/question with 400 and stores nothing', async () => {
    const before = fileRecords().length;
    const bad = await fetch(url('/api/feedback'), postJson({ question: 'a', rating: 'meh' }));
    expect(bad.status).toBe(400);
    expect((await json<ErrorBody>(bad)).error.message).toMatch(/rating/u);
    const none = await fetch(url('/api/feedback'), postJson({ rating: 'up' }));
    expect(none.status).toBe(400);
    expect(fileRecords()).toHaveLength(before);
  });
});

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document describing every endpoint', async () => {
    const res = await fetch(url('/api/openapi.json'));
    expect(res.status).toBe(200);
    const doc = await json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(res);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([...API_ENDPOINTS]));
    expect(Object.keys(doc.paths['/api/ask']!)).toContain('post');
  });
});

describe('GET /api/docs', () => {
  it('is the HTML API reference, with a restrictive content security policy', async () => {
    const res = await fetch(url('/api/docs'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/u);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('/api/ask');
    expect(html).not.toMatch(/<script[^>]+src=/iu);
  });
});

describe('POST /api/chat (server-sent events over HTTP)', () => {
  it('streams citations, then deltas, then done; the deltas make up done.answer', async () => {
    const res = await fetch(url('/api/chat'), postJson({ question: '谁对信访工作负总责？' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/u);
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
    expect(names.slice(1, -1).every((n) => n === 'delta')).toBe(true);
    expect(names.filter((n) => n === 'delta').length).toBeGreaterThan(0);

    const { citations } = JSON.parse(events[0]!.data) as { citations: Citation[] };
    const done = JSON.parse(events.at(-1)!.data) as Answer;
    const deltas = events.slice(1, -1).map((e) => (JSON.parse(e.data) as { text: string }).text);
    expect(deltas.join('')).toBe(done.answer);
    expect(done.id).toMatch(/^ans_/u);
    expect(done.grounded).toBe(true);
    expect(citations.length).toBeGreaterThan(0);
    await expectExactSpans(citations);
    await expectExactSpans(done.citations);
    expectMarkersMatch(done);

    // The request's log line is written once the stream has ended.
    await eventually(() => requestLines(logger, '/api/chat').length > 0, 'no log line for /api/chat');
    const line = requestLines(logger, '/api/chat').at(-1)!;
    expect(line).toMatchObject({ method: 'POST', status: 200, stream: true, mode: 'extractive', grounded: true });
    expect(line.aborted).toBeUndefined();
  });
});

describe('errors over HTTP', () => {
  it('404 and 405 are JSON', async () => {
    const nf = await fetch(url('/nope'));
    expect(nf.status).toBe(404);
    expect((await json<ErrorBody>(nf)).error.code).toBe('not_found');
    const na = await fetch(url('/api/ask'));
    expect(na.status).toBe(405);
    expect(na.headers.get('allow')).toContain('POST');
    expect((await json<ErrorBody>(na)).error.code).toBe('method_not_allowed');
  });

  it('a percent-encoded Chinese query works', async () => {
    const res = await fetch(url(`/api/search?q=${encodeURIComponent('越级')}`));
    expect(res.status).toBe(200);
  });
});

/** Writes raw bytes to the server and returns everything it sends back before closing. */
function rawRequest(bytes: Buffer): Promise<string> {
  const { hostname, port } = new URL(server.url);
  return withDeadline(
    new Promise<string>((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port) });
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('connect', () => socket.write(bytes));
    }),
    15_000,
    'the server never answered (or never closed) the raw request',
  );
}

function parseRaw(text: string): { status: number; headers: Record<string, string>; body: string } {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head!.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine!.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
}

describe('raw HTTP edge cases', () => {
  it('raw non-ASCII bytes in the query get a 400 JSON error, and the server still serves', async () => {
    const reply = parseRaw(await rawRequest(Buffer.from('GET /api/search?q=越级 HTTP/1.1\r\nHost: x\r\n\r\n', 'utf8')));
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toMatch(/^application\/json/u);
    const body = JSON.parse(reply.body) as ErrorBody;
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toMatch(/percent-encode/u);

    const health = await fetch(url('/api/health'));
    expect(health.status).toBe(200);
  });

  it('raw non-ASCII bytes in the path get a 400 JSON error too', async () => {
    const reply = parseRaw(await rawRequest(Buffer.from('GET /api/documents/越级 HTTP/1.1\r\nHost: x\r\n\r\n', 'utf8')));
    expect(reply.status).toBe(400);
    expect((JSON.parse(reply.body) as ErrorBody).error.code).toBe('bad_request');
    expect((await fetch(url('/api/health'))).status).toBe(200);
  });

  it('oversized headers get a 431 JSON error', async () => {
    const reply = parseRaw(await rawRequest(Buffer.from(`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 'utf8')));
    expect(reply.status).toBe(431);
    expect((JSON.parse(reply.body) as ErrorBody).error.code).toBe('headers_too_large');
    expect((await fetch(url('/api/health'))).status).toBe(200);
  });

  it('a garbage request line gets a 400 JSON error', async () => {
    const reply = parseRaw(await rawRequest(Buffer.from('HELLO THERE\r\n\r\n', 'utf8')));
    expect(reply.status).toBe(400);
    expect((JSON.parse(reply.body) as ErrorBody).error.code).toBe('bad_request');
  });
});

describe('a client that goes away mid-answer (generative mode)', () => {
  let fixture: OpenAIChatServer;
  let gen: RunningServer;
  let genLogger: ReturnType<typeof memoryLogger>;
  let genRt: Runtime;

  beforeAll(async () => {
    fixture = await startOpenAIChatServer({ reply: '乡镇坚持每半月一排查制度[1]。' });
    const chat = new OpenAIChatModel({ apiKey: 'sk-test', baseURL: fixture.baseURL, model: 'test-chat', timeoutMs: 5000, maxRetries: 0 });
    // Same index and embedder as the extractive server; answers come from the fixture.
    genRt = await createRuntime(config, { chat, embedder: rt.embedder });
    genLogger = memoryLogger();
    gen = await startServer(genRt, { logger: genLogger });
  }, 120_000);

  afterAll(async () => {
    await gen?.close();
    await fixture?.close();
  });

  it('aborting /api/chat closes the upstream model stream and logs aborted: true; the server stays healthy', async () => {
    // A long answer, one 2-character chunk every 250 ms: about a minute if nobody stops it.
    fixture.next({ kind: 'trickle', intervalMs: 250, content: '乡镇坚持每半月一排查制度[1]，'.repeat(30) });
    const before = fixture.chatRequests().length;
    const abort = new AbortController();
    const res = await fetch(`${gen.url}/api/chat`, { ...postJson({ question: '乡镇多久排查一次矛盾纠纷？' }), signal: abort.signal });
    expect(res.status).toBe(200);

    const seen: string[] = [];
    await withDeadline(
      (async () => {
        for await (const e of readSSE(res)) {
          seen.push(e.event ?? 'message');
          if (e.event === 'delta') break;
        }
      })(),
      30_000,
      'no delta arrived',
    );
    expect(seen[0]).toBe('citations');
    expect(seen).toContain('delta');
    // The model stream is open while the answer is being written.
    expect(fixture.chatRequests().length).toBe(before + 1);
    expect(fixture.chatRequests().at(-1)!.body.stream).toBe(true);
    expect(fixture.connections()).toBe(1);

    abort.abort();

    // The server stops the work: its connection to the model is closed long before the trickle would end.
    await eventually(() => fixture.connections() === 0, 'the upstream model stream was not closed after the client went away');
    await eventually(() => requestLines(genLogger, '/api/chat').length > 0, 'no log line for the aborted /api/chat');
    const line = requestLines(genLogger, '/api/chat').at(-1)!;
    expect(line.aborted).toBe(true);
    expect(line.stream).toBe(true);
    // No error was logged for a client that left.
    expect(genLogger.records.filter((r) => r.level === 'error')).toEqual([]);

    // Still healthy, and it still answers.
    const health = await fetch(`${gen.url}/api/health`);
    expect(health.status).toBe(200);
    expect((await json<{ answerMode: string }>(health)).answerMode).toBe('generative');

    fixture.next({ kind: 'reply', content: '乡镇坚持每半月一排查制度[1]。' });
    const again = await fetch(`${gen.url}/api/chat`, postJson({ question: '乡镇多久排查一次矛盾纠纷？' }));
    const events: { event?: string; data: string }[] = [];
    await withDeadline(
      (async () => {
        for await (const e of readSSE(again)) events.push(e);
      })(),
      30_000,
      'the second stream never ended',
    );
    expect(events[0]!.event).toBe('citations');
    expect(events.at(-1)!.event).toBe('done');
    const done = JSON.parse(events.at(-1)!.data) as Answer;
    expect(done.grounded).toBe(true);
    await expectExactSpans(done.citations);
    expect(fixture.pending()).toEqual({ replies: 0, behaviours: 0 });
  });

  it('an OpenAI SDK client that stops reading a /v1 stream stops the upstream model stream too', async () => {
    fixture.next({ kind: 'trickle', intervalMs: 250, content: '乡镇坚持每半月一排查制度[1]，'.repeat(30) });
    const client = new OpenAI({ baseURL: `${gen.url}/v1`, apiKey: 'anything', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'yiju', stream: true, messages: [{ role: 'user', content: '乡镇多久排查一次矛盾纠纷？' }] });
    let content = '';
    await withDeadline(
      (async () => {
        // Leaving the loop aborts the SDK's request.
        for await (const chunk of stream) {
          content += chunk.choices[0]?.delta?.content ?? '';
          if (content) break;
        }
      })(),
      30_000,
      'no content chunk arrived',
    );
    expect(content.length).toBeGreaterThan(0);
    await eventually(() => fixture.connections() === 0, 'the upstream model stream was not closed after the client went away');
    await eventually(() => requestLines(genLogger, '/v1/chat/completions').length > 0, 'no log line for the aborted /v1/chat/completions');
    expect(requestLines(genLogger, '/v1/chat/completions').at(-1)!.aborted).toBe(true);
    expect((await fetch(`${gen.url}/api/health`)).status).toBe(200);
    expect(fixture.pending()).toEqual({ replies: 0, behaviours: 0 });
  });

  it('close() during an in-flight answer: the answer completes, but its keep-alive connection takes no new request', async () => {
    // A server of its own (closing the shared one would end the other tests).
    const own = await startServer(genRt, { logger: memoryLogger() });
    const answer = '乡镇坚持每半月一排查制度[1]，'.repeat(2);
    fixture.next({ kind: 'trickle', intervalMs: 100, content: answer });
    const { hostname, port } = new URL(own.url);
    const socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    let closed = false;
    socket.setEncoding('utf8').on('data', (d: string) => (received += d));
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined); // a reset after the server closes is fine
    const body = JSON.stringify({ question: '乡镇多久排查一次矛盾纠纷？' });
    // HTTP/1.1: keep-alive by default, as browsers, proxies and fetch use it.
    socket.write(`POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await eventually(() => received.includes('event: delta'), 'the answer never started streaming', 30_000);

    const closing = own.close();
    try {
      // The in-flight answer completes (the chunked body's terminator arrives).
      await eventually(() => received.includes('\r\n0\r\n\r\n') || closed, 'the in-flight answer never completed', 30_000);
      expect(received).toMatch(/^HTTP\/1\.1 200/u);
      expect(received).toContain('event: done');

      // A new request on that connection after shutdown began must not be taken as keep-alive work:
      // the server either closes the connection or answers with "Connection: close".
      received = '';
      if (!closed) socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n');
      await eventually(() => closed || /\r\n\r\n/u.test(received), 'no reply and no close for the second request', 30_000);
      const served = received.startsWith('HTTP/1.1');
      if (served)
        expect(received.split('\r\n\r\n')[0]!.toLowerCase(), 'a request served during shutdown must carry Connection: close').toContain('connection: close');
    } finally {
      socket.destroy();
      await withDeadline(closing, 30_000, 'close() never resolved');
    }
  });
});

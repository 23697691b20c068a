/**
 * The HTTP API's contract, end to end: one set of checks over real HTTP (global
 * fetch, and the real `openai` SDK for /v1) that every runtime serving the app
 * must pass — the Node server (hybrid retrieval, embedding model) and the
 * Worker in workerd (bundled lexical index). Answers differ in wording between
 * them, so these check contracts (shapes, statuses, exact citation spans,
 * marker/citation agreement, event order), never exact texts.
 *
 *   describeApiContract('node', () => ({ url: server.url }), { runtime: 'node', keyed: () => ({ url: keyed.url, key: KEY }) });
 *
 * `target` (and `keyed`) are called lazily, inside the tests, so the servers
 * can be started in the calling file's beforeAll. The servers must run with
 * rate limiting off (they get many requests from one client) and without a chat
 * model (offline, extractive answers).
 */
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { withDeadline } from './async.js';
import { expectNoStack, postJson, readSSE } from './http.js';
import type { Citation } from '../../src/core/answer/types.js';

export interface ApiTarget {
  /** Base URL, e.g. http://127.0.0.1:8787 (no trailing slash). */
  url: string;
}

export interface KeyedApiTarget extends ApiTarget {
  /** One of the keys the server was started with (YIJU_API_KEYS). */
  key: string;
}

export interface ApiContractOptions {
  /** The `runtime` GET /api/health must report. */
  runtime?: 'node' | 'workers';
  /** A server of the same runtime started with API keys: runs the key checks. */
  keyed?: () => KeyedApiTarget;
  /** Deadline for reading one streamed response (ms). Default 30 s. */
  streamDeadlineMs?: number;
}

/** The endpoints the OpenAPI document must describe, on every runtime. */
export const API_ENDPOINTS = [
  '/api/ask',
  '/api/chat',
  '/api/search',
  '/api/documents',
  '/api/documents/{id}',
  '/api/feedback',
  '/api/health',
  '/v1/chat/completions',
  '/v1/models',
] as const;

/** The citations a server returns: the core contract's. */
export type ContractCitation = Citation;
export interface ContractAnswer {
  id: string;
  answer: string;
  mode: 'extractive' | 'generative';
  grounded: boolean;
  citations: ContractCitation[];
  unsupported?: string[];
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
interface Extra {
  citations: ContractCitation[];
  yiju: { mode: string; grounded: boolean; answer: string; fallback?: string; standaloneQuestion: string; answerId: string };
}

export const IN_SCOPE_Q = '初信初访应该怎么处理？';
export const OUT_OF_SCOPE_Q = '红烧肉怎么做才好吃？';
export const ENGLISH_Q = 'Who is responsible for handling petitions at the township level?';

const JSON_TYPE = /^application\/json\b/u;
const HAN = /\p{Script=Han}/u;

/** The one error shape: exact status, JSON, `{"error":{"code","message"}}` and nothing else, no stack. */
export async function expectErrorResponse(res: Response, status: number, code?: string, message?: RegExp): Promise<ErrorBody> {
  const text = await res.text();
  const info = `${res.status} ${text}`;
  expect(res.status, info).toBe(status);
  expect(res.headers.get('content-type') ?? '', info).toMatch(JSON_TYPE);
  const body = JSON.parse(text) as ErrorBody;
  expect(Object.keys(body), info).toEqual(['error']);
  expect(Object.keys(body.error).sort(), info).toEqual(['code', 'message']);
  if (code !== undefined) expect(body.error.code, info).toBe(code);
  expect(typeof body.error.message, info).toBe('string');
  expect(body.error.message.trim().length, info).toBeGreaterThan(0);
  if (message) expect(body.error.message, info).toMatch(message);
  expectNoStack(text);
  return body;
}

const markerNumbers = (s: string) => [...new Set([...s.matchAll(/\[(\d+)\]/gu)].map((m) => Number(m[1])))].sort((a, b) => a - b);

/** Every marker [n] has exactly one citation and every citation is used. */
export function expectMarkersMatch(a: { answer: string; citations: ContractCitation[] }): void {
  const used = markerNumbers(a.answer);
  expect(used.length, a.answer).toBeGreaterThan(0);
  const numbers = a.citations.map((c) => c.n).sort((x, y) => x - y);
  expect(new Set(numbers).size, 'citation numbers repeat').toBe(numbers.length);
  expect(numbers, a.answer).toEqual(used);
}

export function describeApiContract(label: string, target: () => ApiTarget, options: ApiContractOptions = {}): void {
  const deadline = options.streamDeadlineMs ?? 30_000;
  const url = (path: string) => `${target().url}${path}`;
  /** Documents as the API serves them, by base URL and id. */
  const docs = new Map<string, Doc>();

  async function json<T>(res: Response): Promise<T> {
    const text = await res.text();
    expect(res.headers.get('content-type') ?? '', `${res.status} ${text.slice(0, 500)}`).toMatch(JSON_TYPE);
    return JSON.parse(text) as T;
  }

  async function ok<T>(res: Response, status = 200): Promise<T> {
    if (res.status !== status) expect(`${res.status} ${await res.text()}`).toBe(String(status));
    return json<T>(res);
  }

  async function doc(id: string): Promise<Doc> {
    const key = `${target().url} ${id}`;
    if (!docs.has(key)) docs.set(key, await ok<Doc>(await fetch(url(`/api/documents/${encodeURIComponent(id)}`))));
    return docs.get(key)!;
  }

  /** Each citation is exactly document.text.slice(start, end) of the document served at /api/documents/{id}. */
  async function expectExactSpans(citations: ContractCitation[]): Promise<void> {
    for (const c of citations) {
      const d = await doc(c.docId);
      expect(c.end, `citation [${c.n}] is empty`).toBeGreaterThan(c.start);
      expect(c.start).toBeGreaterThanOrEqual(0);
      expect(c.end).toBeLessThanOrEqual(d.text.length);
      expect(c.text, `citation [${c.n}] is not the document's text slice`).toBe(d.text.slice(c.start, c.end));
      expect(c.title).toBe(d.title);
      expect(Number.isFinite(c.score)).toBe(true);
    }
  }

  async function ask(question: string, headers: Record<string, string> = {}, base = target().url): Promise<{ res: Response; answer: ContractAnswer }> {
    const res = await fetch(`${base}/api/ask`, postJson({ question }, headers));
    return { res, answer: await ok<ContractAnswer>(res) };
  }

  /** The events of a text/event-stream response, failing instead of hanging. */
  async function events(res: Response): Promise<{ event?: string; data: string }[]> {
    const out: { event?: string; data: string }[] = [];
    await withDeadline(
      (async () => {
        for await (const e of readSSE(res)) out.push(e);
      })(),
      deadline,
      'the event stream never ended',
    );
    return out;
  }

  async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
    const chunks: ChatCompletionChunk[] = [];
    await withDeadline(
      (async () => {
        for await (const c of stream) chunks.push(c);
      })(),
      deadline,
      'the streamed completion never ended',
    );
    return chunks;
  }

  const openai = (base: string, apiKey = 'anything') => new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0, timeout: deadline });

  describe(`API contract: ${label}`, () => {
    describe('GET /api/health', () => {
      it('is 200, ok, with the index counts and the runtime', async () => {
        const res = await fetch(url('/api/health'));
        const body = await ok<{
          status: string;
          version: string;
          answerMode: string;
          embedder: string;
          runtime?: string;
          index: { loaded: boolean; documents: number; chunks: number; vectors: number };
        }>(res);
        expect(body.status).toBe('ok');
        expect(body.version).toMatch(/^\d+\.\d+\.\d+/u);
        expect(['extractive', 'generative']).toContain(body.answerMode);
        expect(body.embedder.length).toBeGreaterThan(0);
        expect(body.index.loaded).toBe(true);
        expect(body.index.documents).toBe(5);
        expect(body.index.chunks).toBeGreaterThan(0);
        expect(body.index.vectors).toBeGreaterThanOrEqual(0);
        if (options.runtime) expect(body.runtime).toBe(options.runtime);
        else expect(['node', 'workers']).toContain(body.runtime);
      });
    });

    describe('POST /api/ask', () => {
      it(`answers ${IN_SCOPE_Q} with [n] markers whose citations are exact spans of the served documents`, async () => {
        const { res, answer: a } = await ask(IN_SCOPE_Q);
        expect(res.headers.get('x-request-id')).toBeTruthy();
        expect(res.headers.get('server-timing') ?? '').toMatch(/\bretrieval;dur=[\d.]+/u);
        expect(a.id).toMatch(/^ans_\w+$/u);
        expect(a.grounded).toBe(true);
        expect(a.citations.length).toBeGreaterThan(0);
        expectMarkersMatch(a);
        await expectExactSpans(a.citations);
        expect(
          a.citations.some((c) => c.text.includes('初信初访')),
          JSON.stringify(a.citations.map((c) => c.text)),
        ).toBe(true);
        expect(a.standaloneQuestion).toBe(IN_SCOPE_Q);
        expect(a.timings.totalMs).toBeGreaterThanOrEqual(0);
      });

      it('says plainly when the speeches do not answer (grounded: false, no citations)', async () => {
        const { answer: a } = await ask(OUT_OF_SCOPE_Q);
        expect(a.grounded, a.answer).toBe(false);
        expect(a.citations).toEqual([]);
        expect(a.answer.trim().length).toBeGreaterThan(0);
        expect(markerNumbers(a.answer)).toEqual([]);
      });

      it('answers an English question in English framing, quoting the Chinese passages it cites', async () => {
        const { answer: a } = await ask(ENGLISH_Q);
        expect(a.grounded, a.answer).toBe(true);
        expect(a.citations.length).toBeGreaterThan(0);
        expectMarkersMatch(a);
        await expectExactSpans(a.citations);
        for (const c of a.citations) expect(c.text).toMatch(HAN);
        // The answer's own words (everything but the quoted passages and markers) are English.
        let framing = a.answer;
        // Longest first: the direct answer line quotes a clause of a longer cited sentence.
        for (const c of [...a.citations].sort((x, y) => y.text.length - x.text.length)) framing = framing.split(c.text).join('');
        framing = framing.replace(/\[\d+\]/gu, '');
        expect(framing, a.answer).not.toMatch(HAN);
        expect(framing).toMatch(/[A-Za-z]{3,}(?: [A-Za-z]{2,}){2,}/u);
      });
    });

    describe('POST /api/chat (server-sent events)', () => {
      it('streams citations, then deltas, then done; the deltas make up done.answer', async () => {
        const res = await fetch(url('/api/chat'), postJson({ question: IN_SCOPE_Q }));
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type') ?? '').toMatch(/^text\/event-stream\b/u);
        const all = await events(res);
        const names = all.map((e) => e.event);
        expect(names[0]).toBe('citations');
        expect(names.at(-1)).toBe('done');
        expect(names.filter((n) => n === 'citations')).toHaveLength(1);
        expect(names.filter((n) => n === 'done')).toHaveLength(1);
        for (const n of names.slice(1, -1)) expect(n).toBe('delta');
        expect(names.filter((n) => n === 'delta').length).toBeGreaterThan(0);

        const { citations } = JSON.parse(all[0]!.data) as { citations: ContractCitation[] };
        const done = JSON.parse(all.at(-1)!.data) as ContractAnswer;
        const deltas = all.slice(1, -1).map((e) => (JSON.parse(e.data) as { text: string }).text);
        expect(deltas.join('')).toBe(done.answer);
        expect(done.id).toMatch(/^ans_\w+$/u);
        expect(done.grounded).toBe(true);
        expect(citations.length).toBeGreaterThan(0);
        await expectExactSpans(citations);
        await expectExactSpans(done.citations);
        expectMarkersMatch(done);
        expect(done.citations.some((c) => c.text.includes('初信初访'))).toBe(true);
      });

      it('an invalid question is a 400 JSON error, not a stream', async () => {
        await expectErrorResponse(await fetch(url('/api/chat'), postJson({ question: '' })), 400, 'invalid_request', /question is empty/u);
      });
    });

    describe('GET /api/search', () => {
      it('returns at most k passages, best first, each an exact span', async () => {
        for (const k of [3, 1]) {
          const body = await ok<{ results: Omit<ContractCitation, 'n'>[]; inScope: boolean; timings: { embedMs: number; retrieveMs: number } }>(
            await fetch(url(`/api/search?q=${encodeURIComponent('越级访怎么处理')}&k=${k}`)),
          );
          expect(body.inScope).toBe(true);
          expect(body.results.length).toBeGreaterThan(0);
          expect(body.results.length).toBeLessThanOrEqual(k);
          const scores = body.results.map((r) => r.score);
          expect(scores).toEqual([...scores].sort((a, b) => b - a));
          await expectExactSpans(body.results.map((r, i) => ({ ...r, n: i + 1 })));
          if (k === 3) expect(body.results.some((r) => r.text.includes('越级'))).toBe(true);
        }
      });

      it('400 JSON without q or with a bad k', async () => {
        await expectErrorResponse(await fetch(url('/api/search')), 400, 'invalid_request');
        await expectErrorResponse(await fetch(url(`/api/search?q=${encodeURIComponent('越级')}&k=0`)), 400, 'invalid_request', /k must be/u);
      });
    });

    describe('GET /api/documents', () => {
      it('lists the five documents sorted by id, and each serves its canonical text', async () => {
        const { documents } = await ok<{ documents: Omit<Doc, 'text'>[] }>(await fetch(url('/api/documents')));
        expect(documents).toHaveLength(5);
        const ids = documents.map((d) => d.id);
        expect(ids).toEqual([...ids].sort());
        for (const summary of documents) {
          const d = await doc(summary.id);
          expect(d.id).toBe(summary.id);
          expect(d.title).toBe(summary.title);
          expect(d.text.length).toBe(summary.chars);
          expect(d.text.length).toBeGreaterThan(100);
        }
      });

      it('404 JSON for an unknown id', async () => {
        await expectErrorResponse(await fetch(url('/api/documents/no_such_doc')), 404, 'not_found', /no_such_doc/u);
      });
    });

    describe('errors', () => {
      it('an empty question is a 400 JSON error naming the problem', async () => {
        await expectErrorResponse(await fetch(url('/api/ask'), postJson({ question: '   ' })), 400, 'invalid_request', /question is empty/u);
      });

      it('a malformed JSON body is a 400 JSON error', async () => {
        await expectErrorResponse(await fetch(url('/api/ask'), postJson('{bad')), 400, 'invalid_json');
      });

      it('a wrong method is a 405 JSON error with Allow', async () => {
        const res = await fetch(url('/api/ask'));
        expect(res.headers.get('allow') ?? '').toContain('POST');
        await expectErrorResponse(res, 405, 'method_not_allowed');
      });

      it('an unknown route is a 404 JSON error', async () => {
        await expectErrorResponse(await fetch(url('/api/nope')), 404, 'not_found');
        await expectErrorResponse(await fetch(url('/nope'), postJson({})), 404, 'not_found');
      });
    });

    describe('POST /api/feedback', () => {
      it('stores a rating of an answer (by id) or of a question: 201', async () => {
        const { answer } = await ask(IN_SCOPE_Q);
        const byId = await ok<{ id: string; stored: boolean }>(
          await fetch(url('/api/feedback'), postJson({ answerId: answer.id, rating: 'up', comment: '准确' })),
          201,
        );
        expect(byId).toEqual({ id: expect.stringMatching(/^fb_\w+$/u), stored: true });
        const byQuestion = await ok<{ id: string; stored: boolean }>(
          await fetch(url('/api/feedback'), postJson({ question: IN_SCOPE_Q, rating: 'down' })),
          201,
        );
        expect(byQuestion.stored).toBe(true);
        expect(byQuestion.id).not.toBe(byId.id);
      });

      it('a bad rating is a 400 JSON error', async () => {
        await expectErrorResponse(await fetch(url('/api/feedback'), postJson({ question: IN_SCOPE_Q, rating: 'meh' })), 400, 'invalid_request', /rating/u);
      });
    });

    describe('service endpoints', () => {
      it('/api/openapi.json describes every endpoint; /api/docs is HTML; /api/suggestions has questions', async () => {
        const spec = await ok<{ openapi: string; paths: Record<string, unknown> }>(await fetch(url('/api/openapi.json')));
        expect(spec.openapi).toBe('3.1.0');
        expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining([...API_ENDPOINTS]));
        const reference = await fetch(url('/api/docs'));
        expect(reference.status).toBe(200);
        expect(reference.headers.get('content-type') ?? '').toMatch(/^text\/html\b/u);
        expect(await reference.text()).toContain('/api/ask');
        const { questions } = await ok<{ questions: string[] }>(await fetch(url('/api/suggestions')));
        expect(questions.length).toBeGreaterThan(0);
        for (const q of questions) expect(q).toMatch(HAN);
      });
    });

    describe('OpenAI-compatible /v1 (the openai SDK)', () => {
      it('models.list() lists "yiju"', async () => {
        const page = await openai(target().url).models.list();
        expect(page.data.map((m) => m.id)).toContain('yiju');
      });

      it('a completion has [n] markers and a citations field of exact document spans', async () => {
        const completion = await openai(target().url).chat.completions.create({ model: 'yiju', messages: [{ role: 'user', content: IN_SCOPE_Q }] });
        expect(completion.object).toBe('chat.completion');
        const choice = completion.choices[0]!;
        expect(choice.finish_reason).toBe('stop');
        expect(choice.message.role).toBe('assistant');
        const content = choice.message.content ?? '';
        expect(content.length).toBeGreaterThan(0);
        const { citations, yiju } = completion as unknown as Extra;
        expect(citations.length).toBeGreaterThan(0);
        await expectExactSpans(citations);
        expectMarkersMatch({ answer: content, citations });
        expect(yiju.grounded).toBe(true);
        expect(yiju.answer).toBe(content);
        expect(yiju.answerId).toMatch(/^ans_\w+$/u);
      });

      it('streamed: the chunks make up the answer, and the last chunk carries the citations', async () => {
        const stream = await openai(target().url).chat.completions.create({ model: 'yiju', stream: true, messages: [{ role: 'user', content: IN_SCOPE_Q }] });
        const chunks = await collect(stream);
        expect(chunks.length).toBeGreaterThan(2);
        for (const c of chunks) expect(c.object).toBe('chat.completion.chunk');
        expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
        expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
        const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
        expect(content.length).toBeGreaterThan(0);
        const last = chunks.at(-1)!;
        expect(last.choices[0]!.finish_reason).toBe('stop');
        for (const c of chunks.slice(0, -1)) expect(c.choices[0]!.finish_reason).toBeNull();
        const { citations, yiju } = last as unknown as Extra;
        expect(yiju.answer).toBe(content);
        expect(citations.length).toBeGreaterThan(0);
        await expectExactSpans(citations);
        expectMarkersMatch({ answer: content, citations });
      });

      it('a conversation ending with an assistant message raises BadRequestError', async () => {
        const err = await openai(target().url)
          .chat.completions.create({
            model: 'yiju',
            messages: [
              { role: 'user', content: IN_SCOPE_Q },
              { role: 'assistant', content: '及时受理。' },
            ],
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(OpenAI.BadRequestError);
        expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('the last message must be from the user');
      });
    });

    describe('web front ends', () => {
      it('/ is the chat page, loading /assets/app.js', async () => {
        const res = await fetch(url('/'));
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type') ?? '').toMatch(/^text\/html\b/u);
        expect(res.headers.get('content-security-policy') ?? '').toContain("script-src 'self'");
        expect(await res.text()).toMatch(/<script src="\/assets\/app\.js"><\/script>/u);
      });

      it('/assets/app.js and /widget.js are JavaScript', async () => {
        for (const path of ['/assets/app.js', '/widget.js', '/assets/viewer.js', '/assets/widget-panel.js']) {
          const res = await fetch(url(path));
          const body = await res.text();
          expect(res.status, `${path}: ${body.slice(0, 200)}`).toBe(200);
          expect(res.headers.get('content-type') ?? '', path).toMatch(/^(?:text|application)\/javascript\b/u);
          expect(body.length, path).toBeGreaterThan(500);
          expect(body, path).not.toMatch(/^\s*</u);
        }
        expect((await fetch(url('/widget.js'))).headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      });

      it('/documents/{id} is an HTML page with the document text; an unknown id is a 404 page', async () => {
        const { documents } = await ok<{ documents: Omit<Doc, 'text'>[] }>(await fetch(url('/api/documents')));
        const d = await doc(documents[0]!.id);
        const res = await fetch(url(`/documents/${encodeURIComponent(d.id)}`));
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type') ?? '').toMatch(/^text\/html\b/u);
        const html = await res.text();
        // Runs of Chinese text need no HTML escaping: the page must contain them verbatim.
        const runs = [...d.text.matchAll(/\p{Script=Han}{12,}/gu)].map((m) => m[0]);
        expect(runs.length).toBeGreaterThan(2);
        for (const run of [runs[0]!, runs[Math.floor(runs.length / 2)]!, runs.at(-1)!]) expect(html).toContain(run);
        expect(html).toContain('/assets/viewer.js');
        const missing = await fetch(url('/documents/no_such_doc'));
        expect(missing.status).toBe(404);
        expect(missing.headers.get('content-type') ?? '').toMatch(/^text\/html\b/u);
        expectNoStack(await missing.text());
      });
    });

    if (options.keyed) {
      const keyed = options.keyed;
      describe('with API keys configured', () => {
        it('without a key: 401 JSON saying how to authenticate; /api/health stays open', async () => {
          const { url: base } = keyed();
          const res = await fetch(`${base}/api/documents`);
          expect(res.headers.get('www-authenticate') ?? '').toMatch(/^Bearer\b/u);
          await expectErrorResponse(res, 401, 'unauthorized', /Authorization: Bearer/u);
          await expectErrorResponse(await fetch(`${base}/api/ask`, postJson({ question: IN_SCOPE_Q })), 401, 'unauthorized');
          await expectErrorResponse(await fetch(`${base}/v1/models`), 401, 'unauthorized');
          const health = await fetch(`${base}/api/health`);
          expect(health.status).toBe(200);
          expect((await json<{ status: string }>(health)).status).toBe('ok');
        });

        it('a wrong key: 401', async () => {
          const { url: base } = keyed();
          await expectErrorResponse(await fetch(`${base}/api/documents`, { headers: { Authorization: 'Bearer not-the-key' } }), 401, 'unauthorized');
          const err = await openai(base, 'not-the-key')
            .models.list()
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
        });

        it('with "Authorization: Bearer <key>": 200, for /api and for the openai SDK', async () => {
          const { url: base, key } = keyed();
          const auth = { Authorization: `Bearer ${key}` };
          const list = await fetch(`${base}/api/documents`, { headers: auth });
          expect((await ok<{ documents: unknown[] }>(list)).documents).toHaveLength(5);
          const { answer } = await ask(IN_SCOPE_Q, auth, base);
          expect(answer.grounded).toBe(true);
          expectMarkersMatch(answer);
          const client = openai(base, key);
          expect((await client.models.list()).data.map((m) => m.id)).toContain('yiju');
          const completion = await client.chat.completions.create({ model: 'yiju', messages: [{ role: 'user', content: IN_SCOPE_Q }] });
          expect((completion as unknown as Extra).citations.length).toBeGreaterThan(0);
        });
      });
    }
  });
}

/**
 * The HTTP API in generative mode: a runtime whose chat model is the real
 * OpenAIChatModel (openai SDK) against the local OpenAI-compatible fixture server.
 * Model failures must never surface as HTTP errors: the answer falls back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIChatModel } from '../../src/adapters/chat/openaiChatModel.js';
import type { Citation } from '../../src/core/answer/types.js';
import type { YijuApp } from '../../src/http/app.js';
import type { Runtime } from '../../src/node/runtime.js';
import { buildRuntime, JSON_TYPE, makeApp, type MemoryFeedbackStore, type memoryLogger, parseSSE, postJson } from '../helpers/http.js';
import { expectScriptsUsed, startOpenAIChatServer, type ChatRequest, type OpenAIChatServer } from '../helpers/openaiChatServer.js';
import { ruleNumber, ruleReply, TOWNSHIP_Q, TOWNSHIP_RULE, townshipReply } from '../helpers/townshipModel.js';

type AnswerPayload = {
  id: string;
  answer: string;
  mode: string;
  grounded: boolean;
  citations: Citation[];
  unsupported?: string[];
  fallback?: string;
  standaloneQuestion: string;
  timings: { retrievalMs: number; generationMs: number; totalMs: number };
};

const TOWNSHIP_DOC = '001_0ef072b5e6e0e6d4';
const OUT_OF_SCOPE = ['今天北京天气怎么样？', '红烧肉怎么做？'];

let server: OpenAIChatServer;
let rt: Runtime;
let app: YijuApp;
let logger: ReturnType<typeof memoryLogger>;
let feedback: MemoryFeedbackStore;

const reply = townshipReply;

beforeAll(async () => {
  server = await startOpenAIChatServer({ reply });
  const chat = new OpenAIChatModel({ apiKey: 'sk-test', baseURL: server.baseURL, model: 'test-chat', timeoutMs: 2_000, maxRetries: 1 });
  rt = await buildRuntime({ chat, env: { OPENAI_API_KEY: 'sk-test', YIJU_CHAT_MODEL: 'test-chat', OPENAI_BASE_URL: server.baseURL } });
  ({ app, logger, feedback } = makeApp(rt));
}, 180_000);

afterAll(async () => {
  await server?.close();
});

/** Every scripted behaviour must have been used by the test that queued it. */
afterEach(() =>
  expectScriptsUsed(server, (left) => expect(left, 'the test left scripted replies or behaviours unused').toEqual({ replies: 0, behaviours: 0 })),
);

/** Chat requests the fixture received while `run` ran. */
async function recording<T>(run: () => Promise<T>): Promise<{ value: T; requests: ChatRequest[] }> {
  const before = server.chatRequests().length;
  const value = await run();
  return { value, requests: server.chatRequests().slice(before) };
}

async function ask(question: string): Promise<AnswerPayload> {
  const res = await app.request('/api/ask', postJson({ question }));
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get('content-type')).toMatch(JSON_TYPE);
  return JSON.parse(text) as AnswerPayload;
}

async function chatEvents(question: string) {
  const res = await app.request('/api/chat', postJson({ question }));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream\b/u);
  const events = parseSSE(await res.text());
  const names = events.map((e) => e.event);
  expect(names[0]).toBe('citations');
  expect(names.at(-1)).toBe('done');
  expect(names.filter((n) => n === 'done')).toHaveLength(1);
  for (const n of names.slice(1, -1)) expect(n).toBe('delta');
  return {
    citations: (JSON.parse(events[0]!.data) as { citations: Citation[] }).citations,
    deltas: events.slice(1, -1).map((e) => (JSON.parse(e.data) as { text: string }).text),
    done: JSON.parse(events.at(-1)!.data) as AnswerPayload,
  };
}

/** Citations are exact spans of the served documents. */
async function expectSpans(citations: Citation[]) {
  for (const c of citations) {
    const doc = (await (await app.request(`/api/documents/${c.docId}`)).json()) as { text: string; title: string };
    expect(c.text).toBe(doc.text.slice(c.start, c.end));
    expect(c.title).toBe(doc.title);
  }
}

/** An extractive answer standing in for a failed model answer. */
async function expectFallback(a: AnswerPayload, reason: RegExp) {
  expect(a.mode).toBe('extractive');
  expect(a.fallback).toMatch(reason);
  expect(a.grounded).toBe(true);
  expect(a.answer).toContain('每半月一排查');
  expect(a.citations.length).toBeGreaterThan(0);
  await expectSpans(a.citations);
}

describe('generated answers', () => {
  it('GET /api/health says generative, with the chat model', async () => {
    const res = await app.request('/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', answerMode: 'generative', chatModel: 'openai:test-chat', embedder: rt.embedder.id });
  });

  it("POST /api/ask → mode generative, the model's answer with its verified citation", async () => {
    const { value: a, requests } = await recording(() => ask(TOWNSHIP_Q));
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body.model).toBe('test-chat');
    const n = ruleNumber(requests[0]!.body);
    expect(n).toBeGreaterThan(0);
    expect(a).toMatchObject({ mode: 'generative', grounded: true, answer: ruleReply(n), standaloneQuestion: TOWNSHIP_Q });
    expect(a.fallback).toBeUndefined();
    expect(a.unsupported).toBeUndefined();
    expect(a.citations).toHaveLength(1);
    expect(a.citations[0]).toMatchObject({ n, docId: TOWNSHIP_DOC });
    expect(a.citations[0]!.text).toContain(TOWNSHIP_RULE);
    await expectSpans(a.citations);
    expect(a.id).toMatch(/^ans_/u);
    expect(logger.records.findLast((r) => r.path === '/api/ask')).toMatchObject({ msg: 'request', status: 200, mode: 'generative', grounded: true });
  });

  it("POST /api/chat → citations, the model's text as deltas, done with the verified answer", async () => {
    const { value, requests } = await recording(() => chatEvents(TOWNSHIP_Q));
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body.stream).toBe(true);
    const n = ruleNumber(requests[0]!.body);
    const { citations, deltas, done } = value;
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(ruleReply(n));
    expect(done).toMatchObject({ mode: 'generative', grounded: true, answer: ruleReply(n) });
    expect(done.fallback).toBeUndefined();
    await expectSpans(citations);
    for (const c of done.citations) expect(citations.find((x) => x.n === c.n)).toEqual(c);
  });

  it('POST /v1/chat/completions → the generated answer as an OpenAI completion', async () => {
    const res = await app.request('/v1/chat/completions', postJson({ model: 'yiju', messages: [{ role: 'user', content: TOWNSHIP_Q }] }));
    expect(res.status).toBe(200);
    const c = (await res.json()) as {
      choices: { message: { content: string } }[];
      citations: Citation[];
      yiju: { mode: string; answer: string; fallback?: string; answerId: string };
    };
    expect(c.yiju.mode).toBe('generative');
    expect(c.yiju.fallback).toBeUndefined();
    expect(c.choices[0]!.message.content).toBe(c.yiju.answer);
    expect(c.yiju.answer).toMatch(/^乡镇坚持每半月一排查制度\[\d+\]。$/u);
    expect(c.citations.map((x) => x.docId)).toEqual([TOWNSHIP_DOC]);
    // Feedback on it keeps the generative answer.
    const fb = await app.request('/api/feedback', postJson({ answerId: c.yiju.answerId, rating: 'up' }));
    expect(fb.status).toBe(201);
    expect(feedback.records.at(-1)!.answer).toMatchObject({ text: c.yiju.answer, mode: 'generative', grounded: true });
  });
});

describe('model failures are answered, not errors', () => {
  it('429 (after the retry) → /api/ask still 200, the extractive answer with fallback set', async () => {
    server.next({ kind: 'rateLimit' }, { kind: 'rateLimit' });
    const { value: a, requests } = await recording(() => ask(TOWNSHIP_Q));
    expect(requests).toHaveLength(2);
    await expectFallback(a, /.+/u);
    expect(logger.records.findLast((r) => r.path === '/api/ask')).toMatchObject({ msg: 'request', status: 200, mode: 'extractive', fallback: a.fallback });
  });

  it('500 (after the retry) → /api/ask still 200 with fallback naming the failure', async () => {
    server.next({ kind: 'error' }, { kind: 'error' });
    const { value: a, requests } = await recording(() => ask(TOWNSHIP_Q));
    expect(requests).toHaveLength(2);
    await expectFallback(a, /500/u);
    const extractive = await rt.extractive.answer(TOWNSHIP_Q);
    expect(a.answer).toBe(extractive.answer);
  });

  it('/api/chat with the model stream cut mid-way → citations, deltas, a done event with fallback; no error event', async () => {
    server.next({ kind: 'cut', afterChunks: 2 });
    const res = await app.request('/api/chat', postJson({ question: TOWNSHIP_Q }));
    expect(res.status).toBe(200);
    const events = parseSSE(await res.text());
    expect(events.map((e) => e.event)).not.toContain('error');
    expect(events[0]!.event).toBe('citations');
    expect(events.at(-1)!.event).toBe('done');
    const citations = (JSON.parse(events[0]!.data) as { citations: Citation[] }).citations;
    expect(citations.length).toBeGreaterThan(0);
    const deltas = events.slice(1, -1).map((e) => {
      expect(e.event).toBe('delta');
      return (JSON.parse(e.data) as { text: string }).text;
    });
    expect(deltas.join('')).toBe('乡镇坚持');
    const done = JSON.parse(events.at(-1)!.data) as AnswerPayload;
    await expectFallback(done, /stream/u);
    expect(done.answer).not.toBe(deltas.join(''));
  });

  it('/v1/chat/completions streamed, cut mid-way → the replacement answer is appended, then stop and [DONE]', async () => {
    server.next({ kind: 'cut', afterChunks: 2 });
    const res = await app.request('/v1/chat/completions', postJson({ model: 'yiju', stream: true, messages: [{ role: 'user', content: TOWNSHIP_Q }] }));
    expect(res.status).toBe(200);
    const events = parseSSE(await res.text());
    expect(events.at(-1)!.data).toBe('[DONE]');
    type Chunk = { choices: { delta: { content?: string }; finish_reason: string | null }[]; yiju?: { answer: string; fallback?: string; mode: string } };
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as Chunk);
    const last = chunks.at(-1)!;
    expect(last.choices[0]!.finish_reason).toBe('stop');
    expect(last.yiju!.mode).toBe('extractive');
    expect(last.yiju!.fallback).toMatch(/stream/u);
    const content = chunks.map((ch) => ch.choices[0]!.delta.content ?? '').join('');
    expect(content).toBe(`乡镇坚持\n\n---\n${last.yiju!.answer}`);
  });
});

describe('questions the speeches do not answer', () => {
  for (const question of OUT_OF_SCOPE) {
    it(`${question} → grounded false over /api/ask and /api/chat, with zero chat requests`, async () => {
      const { value: a, requests } = await recording(() => ask(question));
      expect(requests).toHaveLength(0);
      expect(a).toMatchObject({ grounded: false, citations: [] });
      expect(a.answer).toMatch(/^现有讲话资料中没有找到相关内容/u);
      const streamed = await recording(() => chatEvents(question));
      expect(streamed.requests).toHaveLength(0);
      expect(streamed.value.citations).toEqual([]);
      expect(streamed.value.done).toMatchObject({ grounded: false, citations: [], answer: a.answer });
    });
  }
});

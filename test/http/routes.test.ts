/**
 * Every endpoint's happy path through app.request(): the real corpus, index and
 * extractive answerer, with in-memory feedback and logs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AnswerResult, Citation } from '../../src/core/answer/types.js';
import type { YijuApp } from '../../src/http/app.js';
import type { Runtime } from '../../src/node/runtime.js';
import { expectContract, markerNumbers } from '../helpers/answers.js';
import { CORPUS_FILES, REPO_ROOT } from '../helpers/corpus.js';
import { buildRuntime, JSON_TYPE, makeApp, type MemoryFeedbackStore, parseSSE, postJson } from '../helpers/http.js';

type Timings = { retrievalMs: number; generationMs: number; totalMs: number };
type AnswerPayload = Omit<AnswerResult, 'timings'> & { id: string; timings: Timings };
type SearchPayload = { results: Omit<Citation, 'n'>[]; inScope: boolean; timings: { embedMs: number; retrieveMs: number } };
type DocSummary = { id: string; title: string; chars: number };
type DocPayload = DocSummary & { text: string };
type Completion = {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: { index: number; message: { role: string; content: string; refusal: null }; finish_reason: string; logprobs: null }[];
  citations: Citation[];
  yiju: {
    mode: string;
    grounded: boolean;
    answerable: 'yes' | 'partial' | 'no';
    reason?: string;
    answer: string;
    standaloneQuestion: string;
    answerId: string;
    fallback?: string;
    unsupported?: string[];
  };
};
type Chunk = {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: { index: number; delta: { role?: string; content?: string }; finish_reason: string | null; logprobs: null }[];
  citations?: Citation[];
  yiju?: Completion['yiju'];
};

const FIRST_VISIT_Q = '初信初访应该怎么处理？';
const TOWNSHIP_Q = '乡镇多久排查一次矛盾纠纷？';
const TOWNSHIP_RULE = '乡镇坚持每半月一排查制度';
const TOWNSHIP_DOC = '001_0ef072b5e6e0e6d4';
const WEATHER_Q = '今天北京天气怎么样？';
const NOT_FOUND = /^现有讲话资料中没有找到相关内容/u;
const COUNTY_HISTORY = [
  { role: 'user', content: '市县两级多久排查一次矛盾纠纷？' },
  { role: 'assistant', content: '市、县两级坚持每周一排查、每周一通报、每周一反馈的制度[1]。' },
] as const;

let rt: Runtime;
let app: YijuApp;
let feedback: MemoryFeedbackStore;
const docTexts = new Map<string, string>();

beforeAll(async () => {
  rt = await buildRuntime();
  ({ app, feedback } = makeApp(rt));
}, 180_000);

async function json<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(JSON_TYPE);
  return JSON.parse(text) as T;
}

async function ask(body: unknown): Promise<AnswerPayload> {
  return json<AnswerPayload>(await app.request('/api/ask', postJson(body)));
}

/** A document's canonical text, as GET /api/documents/:id serves it. */
async function docText(id: string): Promise<string> {
  if (!docTexts.has(id)) docTexts.set(id, (await json<DocPayload>(await app.request(`/api/documents/${id}`))).text);
  return docTexts.get(id)!;
}

/** Every citation is exactly the span of the served document it names. */
async function expectSpans(citations: readonly { docId: string; start: number; end: number; text: string }[]): Promise<void> {
  for (const c of citations) {
    expect(c.end).toBeGreaterThan(c.start);
    expect(c.text).toBe((await docText(c.docId)).slice(c.start, c.end));
  }
}

/** The /api/ask object: fields, types, contract, timings. */
async function expectAnswerShape(a: AnswerPayload): Promise<void> {
  expect(a.id).toMatch(/^ans_[\w-]+$/u);
  expect(typeof a.answer).toBe('string');
  expect(a.mode).toBe('extractive');
  expect(typeof a.grounded).toBe('boolean');
  expect(Array.isArray(a.citations)).toBe(true);
  expect(typeof a.standaloneQuestion).toBe('string');
  expect(Object.keys(a.timings).sort()).toEqual(['generationMs', 'retrievalMs', 'totalMs']);
  for (const v of Object.values(a.timings)) {
    expect(typeof v).toBe('number');
    expect(v).toBeGreaterThanOrEqual(0);
  }
  for (const c of a.citations) expect(Object.keys(c).sort()).toEqual(['cite', 'docId', 'end', 'n', 'score', 'start', 'text', 'title']);
  expectContract(a as unknown as AnswerResult, rt.opened.index.documents);
  await expectSpans(a.citations);
}

describe('POST /api/ask', () => {
  it('初信初访应该怎么处理？ → a grounded answer whose citations are exact spans of the served documents', async () => {
    const a = await ask({ question: FIRST_VISIT_Q });
    await expectAnswerShape(a);
    expect(a.grounded).toBe(true);
    expect(a.citations.length).toBeGreaterThan(0);
    expect(a.standaloneQuestion).toBe(FIRST_VISIT_Q);
    expect(a.answer).toContain('初信初访');
    expect(a.citations.some((c) => c.text.includes('初信初访'))).toBe(true);
    expect(a.fallback).toBeUndefined();
  });

  it('乡镇多久排查一次矛盾纠纷？ → cites the township rule (每半月一排查) from the right speech', async () => {
    const a = await ask({ question: TOWNSHIP_Q });
    await expectAnswerShape(a);
    expect(a.grounded).toBe(true);
    const rule = a.citations.find((c) => c.text.includes(TOWNSHIP_RULE));
    expect(rule, JSON.stringify(a.citations)).toBeDefined();
    expect(rule!.docId).toBe(TOWNSHIP_DOC);
    expect(rule!.title).toBe(rt.opened.index.documents.get(TOWNSHIP_DOC)!.title);
    expect(a.answer).toContain(`[${rule!.n}]`);
    expect(markerNumbers(a.answer)[0]).toBe(rule!.n);
  });

  it('a question the speeches do not answer → grounded false, no citations, a plain "not found"', async () => {
    const a = await ask({ question: WEATHER_Q });
    await expectAnswerShape(a);
    expect(a.grounded).toBe(false);
    expect(a.citations).toEqual([]);
    expect(a.answer).toMatch(NOT_FOUND);
    expect(markerNumbers(a.answer)).toEqual([]);
  });

  it('an English question gets an English-framed answer quoting the Chinese speeches', async () => {
    const a = await ask({ question: 'How often must townships screen for disputes?' });
    await expectAnswerShape(a);
    expect(a.grounded).toBe(true);
    expect(a.answer).toContain('What the speeches say (quoted in the original Chinese):');
    expect(a.answer).toMatch(/Offline extractive mode/u);
    expect(a.answer).not.toContain('根据讲话原文');
    expect(a.citations.some((c) => c.text.includes(TOWNSHIP_RULE))).toBe(true);
  });

  it('a follow-up (那乡镇呢？ after a 市县 question) is answered as a standalone township question', async () => {
    const a = await ask({ question: '那乡镇呢？', history: COUNTY_HISTORY });
    await expectAnswerShape(a);
    expect(a.grounded).toBe(true);
    expect(a.standaloneQuestion).not.toBe('那乡镇呢？');
    expect(a.standaloneQuestion).toContain('乡镇');
    expect(a.standaloneQuestion).toContain('排查');
    expect(a.citations[0]!.text).toContain(TOWNSHIP_RULE);
    // Without history the question is used as it is.
    expect((await ask({ question: '那乡镇呢？' })).standaloneQuestion).toBe('那乡镇呢？');
  });

  it('topK is honoured: with topK 1 every citation lies inside the single best passage', async () => {
    const [top] = (await json<SearchPayload>(await app.request(`/api/search?q=${encodeURIComponent(FIRST_VISIT_Q)}&k=1`))).results;
    expect(top).toBeDefined();
    const one = await ask({ question: FIRST_VISIT_Q, topK: 1 });
    await expectAnswerShape(one);
    expect(one.citations.length).toBeGreaterThan(0);
    for (const c of one.citations) {
      expect(c.docId).toBe(top!.docId);
      expect(c.start).toBeGreaterThanOrEqual(top!.start);
      expect(c.end).toBeLessThanOrEqual(top!.end);
    }
    // The default (5 passages) draws on more than that one passage.
    const all = await ask({ question: FIRST_VISIT_Q });
    expect(all.citations.some((c) => c.docId !== top!.docId || c.start < top!.start || c.end > top!.end)).toBe(true);
  });

  it('every answer has its own id', async () => {
    const a = await ask({ question: TOWNSHIP_Q });
    const b = await ask({ question: TOWNSHIP_Q });
    expect(a.id).not.toBe(b.id);
    expect(a.answer).toBe(b.answer);
  });
});

describe('POST /api/chat', () => {
  it('streams citations, deltas, then done (the /api/ask object); the deltas add up to done.answer', async () => {
    const res = await app.request('/api/chat', postJson({ question: FIRST_VISIT_Q }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream\b/u);
    const events = parseSSE(await res.text());
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('citations');
    expect(names.at(-1)).toBe('done');
    expect(names.slice(1, -1).length).toBeGreaterThan(0);
    expect(new Set(names.slice(1, -1))).toEqual(new Set(['delta']));
    expect(names).not.toContain('error');

    const { citations } = JSON.parse(events[0]!.data) as { citations: Citation[] };
    const deltas = events.slice(1, -1).map((e) => (JSON.parse(e.data) as { text: string }).text);
    const done = JSON.parse(events.at(-1)!.data) as AnswerPayload;
    await expectAnswerShape(done);
    expect(done.grounded).toBe(true);
    expect(deltas.join('')).toBe(done.answer);
    await expectSpans(citations);
    for (const c of done.citations) expect(citations.find((x) => x.n === c.n)).toEqual(c);

    // The same answer /api/ask gives.
    const asked = await ask({ question: FIRST_VISIT_Q });
    expect(Object.keys(done).sort()).toEqual(Object.keys(asked).sort());
    expect(done.answer).toBe(asked.answer);
    expect(done.citations).toEqual(asked.citations);
    expect(done.id).not.toBe(asked.id);
  });

  it('an out-of-scope question streams empty citations and a not-found done', async () => {
    const events = parseSSE(await (await app.request('/api/chat', postJson({ question: WEATHER_Q }))).text());
    expect(events[0]!.event).toBe('citations');
    expect(JSON.parse(events[0]!.data)).toEqual({ citations: [] });
    const done = JSON.parse(events.at(-1)!.data) as AnswerPayload;
    expect(events.at(-1)!.event).toBe('done');
    expect(done).toMatchObject({ grounded: false, citations: [] });
    expect(done.answer).toMatch(NOT_FOUND);
    expect(
      events
        .slice(1, -1)
        .map((e) => (JSON.parse(e.data) as { text: string }).text)
        .join(''),
    ).toBe(done.answer);
  });
});

describe('GET /api/search', () => {
  it('k=3 → at most 3 passages, best first, each an exact span of its document', async () => {
    const s = await json<SearchPayload>(await app.request(`/api/search?q=${encodeURIComponent('越级访怎么处理')}&k=3`));
    expect(s.inScope).toBe(true);
    expect(s.results.length).toBeGreaterThan(0);
    expect(s.results.length).toBeLessThanOrEqual(3);
    for (let i = 1; i < s.results.length; i++) expect(s.results[i]!.score).toBeLessThanOrEqual(s.results[i - 1]!.score);
    for (const r of s.results) expect(Object.keys(r).sort()).toEqual(['docId', 'end', 'score', 'start', 'text', 'title']);
    await expectSpans(s.results);
    expect(s.results.some((r) => r.text.includes('越级访'))).toBe(true);
    expect(typeof s.timings.embedMs).toBe('number');
    expect(typeof s.timings.retrieveMs).toBe('number');
  });

  it('without k → the default topK (5) at most; an out-of-scope query says inScope false', async () => {
    const s = await json<SearchPayload>(await app.request(`/api/search?q=${encodeURIComponent(TOWNSHIP_Q)}`));
    expect(s.results.length).toBeGreaterThan(3);
    expect(s.results.length).toBeLessThanOrEqual(5);
    expect(s.results[0]!.text).toContain(TOWNSHIP_RULE);
    const out = await json<SearchPayload>(await app.request(`/api/search?q=${encodeURIComponent(WEATHER_Q)}&k=3`));
    expect(out.inScope).toBe(false);
    expect(out.results.length).toBeLessThanOrEqual(3);
  });
});

describe('GET /api/documents', () => {
  it('lists the 5 speeches (id, title, chars), by id', async () => {
    const { documents } = await json<{ documents: DocSummary[] }>(await app.request('/api/documents'));
    expect(documents.map((d) => d.id)).toEqual(CORPUS_FILES.map((f) => f.replace(/\.txt$/u, '')));
    expect(documents).toHaveLength(5);
    for (const d of documents) {
      expect(typeof d.title).toBe('string');
      expect(d.title.length).toBeGreaterThan(0);
      expect(Number.isInteger(d.chars)).toBe(true);
      expect(d.chars).toBeGreaterThan(0);
      expect(d).not.toHaveProperty('text');
      expect(d.title).toBe(rt.opened.index.documents.get(d.id)!.title);
    }
  });

  it('GET /api/documents/:id → the canonical text, text.length === chars', async () => {
    const { documents } = await json<{ documents: DocSummary[] }>(await app.request('/api/documents'));
    for (const summary of documents) {
      const doc = await json<DocPayload>(await app.request(`/api/documents/${summary.id}`));
      expect(doc).toMatchObject(summary);
      expect(doc.text.length).toBe(summary.chars);
      expect(doc.text).toBe(rt.opened.index.documents.get(summary.id)!.text);
    }
  });
});

describe('POST /api/feedback', () => {
  it('with the id of an answer → 201 {id, stored: true}; the stored record has the rating, comment, question and answer', async () => {
    const a = await ask({ question: TOWNSHIP_Q });
    const before = feedback.records.length;
    const res = await app.request('/api/feedback', postJson({ answerId: a.id, rating: 'down', comment: '  少了村居的要求  ' }));
    const body = await json<{ id: string; stored: boolean }>(res, 201);
    expect(Object.keys(body).sort()).toEqual(['id', 'stored']);
    expect(body.id).toMatch(/^fb_[\w-]+$/u);
    expect(body.stored).toBe(true);
    expect(feedback.records).toHaveLength(before + 1);
    const record = feedback.records.at(-1)!;
    expect(record).toMatchObject({ id: body.id, rating: 'down', answerId: a.id, question: TOWNSHIP_Q, comment: '少了村居的要求' });
    expect(Number.isNaN(Date.parse(record.receivedAt))).toBe(false);
    expect(record.answer).toEqual({
      text: a.answer,
      mode: a.mode,
      grounded: a.grounded,
      citations: a.citations.map(({ docId, start, end }) => ({ docId, start, end })),
    });
  });

  it('with just a question → stored with the question and no answer snapshot', async () => {
    const res = await app.request('/api/feedback', postJson({ question: `  ${FIRST_VISIT_Q}  `, rating: 'up' }));
    const body = await json<{ id: string; stored: boolean }>(res, 201);
    const record = feedback.records.find((r) => r.id === body.id);
    expect(record).toBeDefined();
    expect(record).toMatchObject({ rating: 'up', question: FIRST_VISIT_Q });
    expect(record!.answer).toBeUndefined();
    expect(record!.answerId).toBeUndefined();
    expect(record!.comment).toBeUndefined();
  });

  it('answers from /api/chat and /v1/chat/completions can be rated by their id too', async () => {
    const events = parseSSE(await (await app.request('/api/chat', postJson({ question: TOWNSHIP_Q }))).text());
    const done = JSON.parse(events.at(-1)!.data) as AnswerPayload;
    const c = await json<Completion>(
      await app.request('/v1/chat/completions', postJson({ model: 'yiju', messages: [{ role: 'user', content: FIRST_VISIT_Q }] })),
    );
    for (const [answerId, question, answer] of [
      [done.id, TOWNSHIP_Q, done.answer],
      [c.yiju.answerId, FIRST_VISIT_Q, c.yiju.answer],
    ] as const) {
      const body = await json<{ id: string }>(await app.request('/api/feedback', postJson({ answerId, rating: 'up' })), 201);
      const record = feedback.records.find((r) => r.id === body.id)!;
      expect(record).toMatchObject({ answerId, question, rating: 'up' });
      expect(record.answer?.text).toBe(answer);
    }
  });
});

describe('OpenAI-compatible endpoints', () => {
  it('GET /v1/models lists the one model, yiju', async () => {
    const body = await json<{ object: string; data: { id: string; object: string; created: number; owned_by: string }[] }>(await app.request('/v1/models'));
    expect(body).toEqual({ object: 'list', data: [{ id: 'yiju', object: 'model', created: 0, owned_by: 'yiju' }] });
  });

  it('POST /v1/chat/completions (not streamed) → a chat.completion with citations and yiju fields', async () => {
    const c = await json<Completion>(
      await app.request(
        '/v1/chat/completions',
        postJson({
          model: 'gpt-4o-mini',
          messages: [
            { role: 'system', content: 'You are a pirate.' },
            { role: 'user', content: TOWNSHIP_Q },
          ],
        }),
      ),
    );
    expect(c.id).toMatch(/^chatcmpl_[\w-]+$/u);
    expect(c.object).toBe('chat.completion');
    expect(Number.isInteger(c.created)).toBe(true);
    expect(c.created).toBeGreaterThan(1_600_000_000);
    expect(c.model).toBe('yiju');
    expect(c.choices).toEqual([{ index: 0, message: { role: 'assistant', content: c.yiju.answer, refusal: null }, finish_reason: 'stop', logprobs: null }]);
    expect(c.yiju).toMatchObject({ mode: 'extractive', grounded: true, answerable: 'yes', standaloneQuestion: TOWNSHIP_Q });
    expect(c.yiju.answerId).toMatch(/^ans_[\w-]+$/u);
    expect(c.citations.some((x) => x.text.includes(TOWNSHIP_RULE))).toBe(true);
    await expectSpans(c.citations);
    expectContract({ ...c.yiju, mode: 'extractive', citations: c.citations } as AnswerResult, rt.opened.index.documents);
    // The same answer /api/ask gives: the system message changes nothing.
    const asked = await ask({ question: TOWNSHIP_Q });
    expect(c.yiju.answer).toBe(asked.answer);
    expect(c.citations).toEqual(asked.citations);
  });

  it('earlier messages are the history, and content parts are read as text', async () => {
    const c = await json<Completion>(
      await app.request(
        '/v1/chat/completions',
        postJson({
          model: 'yiju',
          messages: [
            ...COUNTY_HISTORY,
            {
              role: 'user',
              content: [
                { type: 'text', text: '那乡镇' },
                { type: 'text', text: '呢？' },
              ],
            },
          ],
        }),
      ),
    );
    expect(c.yiju.grounded).toBe(true);
    expect(c.yiju.standaloneQuestion).toContain('乡镇');
    expect(c.yiju.standaloneQuestion).not.toBe('那乡镇呢？');
    expect(c.citations.some((x) => x.text.includes(TOWNSHIP_RULE))).toBe(true);
  });

  it('POST /v1/chat/completions with stream: true → role chunk, content chunks, a stop chunk with citations, [DONE]', async () => {
    const res = await app.request('/v1/chat/completions', postJson({ model: 'yiju', stream: true, messages: [{ role: 'user', content: FIRST_VISIT_Q }] }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream\b/u);
    const events = parseSSE(await res.text());
    expect(events.at(-1)!.data).toBe('[DONE]');
    expect(events.filter((e) => e.data === '[DONE]')).toHaveLength(1);
    for (const e of events) expect(e.event).toBeUndefined();
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as Chunk);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const ch of chunks) {
      expect(ch).toMatchObject({ id: chunks[0]!.id, object: 'chat.completion.chunk', model: 'yiju', created: chunks[0]!.created });
      expect(ch.choices).toHaveLength(1);
      expect(ch.choices[0]!.index).toBe(0);
    }
    expect(chunks[0]!.id).toMatch(/^chatcmpl_[\w-]+$/u);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    const content = chunks.slice(1, -1);
    expect(content.length).toBeGreaterThan(0);
    for (const ch of content) {
      expect(Object.keys(ch.choices[0]!.delta)).toEqual(['content']);
      expect(ch.choices[0]!.finish_reason).toBeNull();
      expect(ch.citations).toBeUndefined();
    }
    const last = chunks.at(-1)!;
    expect(last.choices[0]!.finish_reason).toBe('stop');
    expect(last.choices[0]!.delta).toEqual({});
    expect(last.yiju).toMatchObject({ mode: 'extractive', grounded: true, standaloneQuestion: FIRST_VISIT_Q });
    expect(last.citations!.length).toBeGreaterThan(0);
    await expectSpans(last.citations!);
    const streamed = content.map((ch) => ch.choices[0]!.delta.content).join('');
    expect(streamed).toBe(last.yiju!.answer);
    expect(streamed).toBe((await ask({ question: FIRST_VISIT_Q })).answer);
  });
});

describe('service endpoints', () => {
  it('GET /api/health → ok, extractive, the index counts of the runtime', async () => {
    const h = await json<{ status: string; version: string; answerMode: string; chatModel?: string; embedder: string; index: Record<string, unknown> }>(
      await app.request('/api/health'),
    );
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(h).toMatchObject({ status: 'ok', version, answerMode: 'extractive', embedder: rt.embedder.id });
    expect(h).not.toHaveProperty('chatModel');
    const { counts, builtAt } = rt.opened.manifest;
    expect(h.index).toEqual({ loaded: true, ...counts, ...(builtAt ? { builtAt } : {}), skipped: [] });
    expect(h.index.documents).toBe(5);
  });

  it('GET /api/openapi.json → an OpenAPI 3.1 document of the API', async () => {
    const doc = await json<{ openapi: string; info: { title: string; version: string }; paths: Record<string, unknown> }>(
      await app.request('/api/openapi.json'),
    );
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toContain('Yiju');
    expect(Object.keys(doc.paths)).toContain('/api/ask');
  });

  it('GET /api/docs → an HTML reference listing every path, with no scripts', async () => {
    const res = await app.request('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html\b/u);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/iu);
    const doc = (await (await app.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, methods] of Object.entries(doc.paths)) {
      expect(html).toContain(`<code>${path}</code>`);
      for (const method of Object.keys(methods)) expect(html).toContain(`id="${method}-${path}"`);
    }
    expect(html).toContain('href="/api/openapi.json"');
    expect(html).not.toMatch(/<script/iu);
  });
});

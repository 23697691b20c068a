/**
 * The Workers composition root through `app.request()`: bindings and
 * variables in, the same app out. Bindings are fakes that follow the
 * documented shapes (test/helpers/workersFakes.ts); workerd itself runs in
 * test/workers/workerd.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { VectorizeStore } from '../../src/adapters/workers/vectorizeStore.js';
import { WorkersAiEmbedder } from '../../src/adapters/workers/workersAiEmbedder.js';
import { loadConfig } from '../../src/node/config.js';
import { openCorpusBundle, type CorpusBundle } from '../../src/core/indexing/corpusBundle.js';
import { vectorTextsOf } from '../../src/core/retrieve/corpusIndex.js';
import type { ChatMessage } from '../../src/core/ports.js';
import { bundleCorpus } from '../../src/node/corpusBundle.js';
import type { WorkerBindings } from '../../src/workers/bindings.js';
import { ConfigError as WorkerConfigError } from '../../src/config/settings.js';
import { loadWorkerConfig } from '../../src/workers/config.js';
import { createWorkerApp, type WorkerPayload } from '../../src/workers/runtime.js';
import { CORPUS_DIR } from '../helpers/corpus.js';
import { memoryLogger, parseSSE, postJson } from '../helpers/http.js';
import { FakeVectorize, FakeWorkersAi } from '../helpers/workersFakes.js';

let bundle: CorpusBundle;
let payload: WorkerPayload;

beforeAll(async () => {
  bundle = await bundleCorpus(loadConfig({ YIJU_CORPUS_DIR: CORPUS_DIR }));
  payload = {
    bundle,
    assets: { 'app.js': 'console.log("app")', 'widget.js': 'console.log("widget")', 'widget-panel.js': '', 'viewer.js': '' },
    version: '9.9.9',
  };
});

const appFor = (env: WorkerBindings, logger = memoryLogger(), p: WorkerPayload = payload) => ({
  app: createWorkerApp(loadWorkerConfig(env), env, p, logger),
  logger,
});
const ask = (app: ReturnType<typeof appFor>['app'], question: string, headers: Record<string, string> = {}) =>
  app.request('/api/ask', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ question }) });

interface Answer {
  mode: string;
  grounded: boolean;
  answer: string;
  citations: { docId: string; start: number; end: number; text: string }[];
  fallback?: string;
}

const expectExact = (a: Answer) => {
  for (const c of a.citations) expect(bundle.documents.find((d) => d.id === c.docId)!.text.slice(c.start, c.end)).toBe(c.text);
};

/** Workers AI as documented: embeddings for `{ text }`, chat for `{ messages }` (a stream of events with `stream: true`). */
class FakeAi extends FakeWorkersAi {
  readonly chats: { model: string; messages: ChatMessage[] }[] = [];
  override async run(model: string, inputs: { text: string[] } | { messages: ChatMessage[]; stream?: boolean }): Promise<unknown> {
    if ('text' in inputs) return super.run(model, inputs);
    this.chats.push({ model, messages: inputs.messages });
    // Quotes the first sentence of passage [1], cited: an answer the verifier accepts.
    const first = /\[1\] 《[^》]*》\n(?:.*\n)*?([^。！？\n]{6,})([。！？])/u.exec(inputs.messages.at(-1)!.content);
    // Marker before the full stop, as the prompt's example writes it.
    const reply = first ? `${first[1]}[1]${first[2]}` : '现有讲话资料中没有相关内容。';
    if (!inputs.stream) return { response: reply };
    const events = [...reply].map((ch) => `data: ${JSON.stringify({ response: ch })}\n\n`).join('') + 'data: [DONE]\n\n';
    return new Response(events).body;
  }
}

describe('Worker runtime, bundled mode (no bindings)', () => {
  it('says what it runs on: workers, lexical retrieval, no embedder, extractive answers', async () => {
    const { app } = appFor({});
    const health = (await (await app.request('/api/health')).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'ok',
      version: '9.9.9',
      runtime: 'workers',
      retrieval: 'lexical',
      answerMode: 'extractive',
      embedder: 'none (bundled lexical index)',
    });
    expect(health.index).toMatchObject({ loaded: true, documents: 5, chunks: bundle.chunks.length, vectors: 0, builtAt: bundle.builtAt });
  });

  it('answers from the bundled index with exact citations, and refuses what the speeches do not cover', async () => {
    const { app } = appFor({});
    const yes = (await (await ask(app, '初信初访应该怎么处理？')).json()) as Answer;
    expect(yes).toMatchObject({ mode: 'extractive', grounded: true });
    expect(yes.citations.some((c) => c.text.includes('初信初访'))).toBe(true);
    expectExact(yes);
    const no = (await (await ask(app, '红烧肉怎么做才好吃？')).json()) as Answer;
    expect(no).toMatchObject({ grounded: false, citations: [] });
  });

  it("carries the corpus' slice of the dictionary: traditional characters, pinyin and English off the subject work offline too", async () => {
    expect(bundle.dictionary?.words.length).toBeGreaterThan(1000);
    const { app } = appFor({});
    for (const q of ['鄉鎮多久排查一次矛盾糾紛？', 'xiangzhen duojiu paicha yici maodun jiufen']) {
      const a = (await (await ask(app, q)).json()) as Answer & { standaloneQuestion: string };
      expect(a.grounded, q).toBe(true);
      expect(a.standaloneQuestion, q).toMatch(/乡镇.*排查/u);
      expectExact(a);
    }
    const peru = (await (await ask(app, 'What is the capital of Peru?')).json()) as Answer;
    expect(peru).toMatchObject({ grounded: false, citations: [] });
  });

  it('serves the packed browser bundles and the source viewer', async () => {
    const { app } = appFor({});
    expect(await (await app.request('/widget.js')).text()).toBe('console.log("widget")');
    const doc = bundle.documents[0]!;
    const viewer = await app.request(`/documents/${doc.id}`);
    expect(viewer.status).toBe(200);
    expect(await viewer.text()).toContain(doc.text.slice(0, 20));
  });

  it('writes feedback to the logs without a KV namespace, and to KV with one', async () => {
    const { app, logger } = appFor({});
    expect((await app.request('/api/feedback', postJson({ rating: 'up', question: '初信初访？' }))).status).toBe(201);
    expect(logger.records.find((r) => r.msg === 'feedback')).toMatchObject({ feedback: { rating: 'up', question: '初信初访？' } });
    const puts: string[] = [];
    const kv = appFor({ FEEDBACK: { put: async (key: string) => void puts.push(key) } });
    expect((await kv.app.request('/api/feedback', postJson({ rating: 'down', answerId: 'ans_1' }))).status).toBe(201);
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatch(/^feedback:\d{4}-\d\d-\d\dT.+:.+$/u);
  });

  it('rate-limits by the address Cloudflare vouches for (CF-Connecting-IP)', async () => {
    const { app } = appFor({ YIJU_RATE_LIMIT: '1' });
    expect((await app.request('/api/documents', { headers: { 'cf-connecting-ip': '203.0.113.1' } })).status).toBe(200);
    expect((await app.request('/api/documents', { headers: { 'cf-connecting-ip': '203.0.113.1' } })).status).toBe(429);
    expect((await app.request('/api/documents', { headers: { 'cf-connecting-ip': '203.0.113.2' } })).status).toBe(200);
  });

  it('takes API keys and limits from variables, like the Node server', async () => {
    const { app } = appFor({ YIJU_API_KEYS: 'k1,k2', YIJU_MAX_QUESTION_CHARS: '20' });
    expect((await ask(app, '初信初访？')).status).toBe(401);
    expect((await ask(app, '初信初访？', { authorization: 'Bearer k2' })).status).toBe(200);
    expect((await ask(app, '初'.repeat(21), { authorization: 'Bearer k1' })).status).toBe(400);
    expect((await app.request('/api/health')).status).toBe(200);
  });
});

describe('Worker configuration', () => {
  it('names the variable that is wrong', () => {
    expect(() => loadWorkerConfig({ YIJU_RATE_LIMIT: 'abc' })).toThrow(/YIJU_RATE_LIMIT/u);
    expect(() => loadWorkerConfig({ YIJU_RETRIEVAL: 'faiss' })).toThrow(/YIJU_RETRIEVAL/u);
    expect(() => loadWorkerConfig({ YIJU_CHAT: 'openai' })).toThrow(/OPENAI_API_KEY/u);
    expect(() => loadWorkerConfig({ YIJU_CHAT_MODEL: 'gpt-4o-mini' })).toThrow(/OPENAI_API_KEY/u);
    expect(() => loadWorkerConfig({ YIJU_CHAT_MODEL: 'gpt-4o-mini' })).toThrow(WorkerConfigError);
  });

  it('ignores bindings that are not strings, and defaults every setting', () => {
    const c = loadWorkerConfig({ AI: {}, VECTORIZE: {}, YIJU_TOP_K: '7' });
    expect(c).toMatchObject({
      workers: { retrieval: 'auto', embeddingModel: '@cf/baai/bge-m3' },
      chat: 'auto',
      retrieval: { topK: 7, maxTopK: 50 },
      http: { rateLimit: 60 },
    });
    // The embedding size is the model's own unless set (1024 for bge-m3, applied where the embedder is made).
    expect(c.embeddingDimensions).toBeUndefined();
  });

  it('refuses a mode whose bindings are missing', () => {
    expect(() => appFor({ YIJU_RETRIEVAL: 'vectorize' })).toThrow(/AI and VECTORIZE bindings/u);
    expect(() => appFor({ YIJU_CHAT: 'workers-ai' })).toThrow(/AI binding/u);
  });
});

describe('Worker runtime, Vectorize mode (AI + VECTORIZE bindings)', () => {
  let ai: FakeAi;
  let vectorize: FakeVectorize;
  /** The payload of a build made after that push (its record in the bundle). */
  let pushed: WorkerPayload;

  beforeAll(async () => {
    // What npm run push:vectorize leaves in the index: every vector text of every bundled chunk.
    ai = new FakeAi();
    vectorize = new FakeVectorize();
    const { chunks } = openCorpusBundle(bundle);
    const texts = chunks.flatMap((c) => vectorTextsOf(c));
    const vectors = await new WorkersAiEmbedder(ai).embed(
      texts.map((t) => t.text),
      'passage',
    );
    await new VectorizeStore(vectorize).upsert(texts.map((t, i) => ({ id: t.id, vector: vectors[i]! })));
    ai.calls.length = 0;
    vectorize.calls.length = 0;
    pushed = {
      ...payload,
      bundle: {
        ...bundle,
        vectors: {
          index: 'yiju',
          embedder: { id: 'workers-ai:@cf/baai/bge-m3', dimensions: 1024 },
          corpusHash: bundle.corpusHash,
          count: texts.length,
          pushedAt: '2026-11-23T00:00:00.000Z',
        },
      },
    };
  });

  it('refuses to query vectors it cannot vouch for: no push recorded, another corpus, another embedder', () => {
    const env = { AI: ai, VECTORIZE: vectorize };
    expect(() => appFor(env)).toThrow(/records no push to Vectorize: run npm run push:vectorize/u);
    const vectors = pushed.bundle.vectors!;
    expect(() => appFor(env, memoryLogger(), { ...pushed, bundle: { ...pushed.bundle, vectors: { ...vectors, corpusHash: 'other' } } })).toThrow(
      /vectors of another corpus/u,
    );
    expect(() =>
      appFor(env, memoryLogger(), {
        ...pushed,
        bundle: { ...pushed.bundle, vectors: { ...vectors, embedder: { id: 'openai:text-embedding-3-small', dimensions: 1536 } } },
      }),
    ).toThrow(/filled by openai:text-embedding-3-small \(1536 dimensions\), but queries would be embedded by workers-ai:@cf\/baai\/bge-m3 \(1024\)/u);
    expect(() => appFor({ ...env, YIJU_EMBEDDING_DIMENSIONS: '768' }, memoryLogger(), pushed)).toThrow(/queries would be embedded/u);
  });

  it('retrieves with Workers AI query embeddings and Vectorize', async () => {
    const { app } = appFor({ AI: ai, VECTORIZE: vectorize }, memoryLogger(), pushed);
    const health = (await (await app.request('/api/health')).json()) as { retrieval: string; embedder: string; index: { vectors: number } };
    expect(health).toMatchObject({ retrieval: 'hybrid', embedder: 'workers-ai:@cf/baai/bge-m3' });
    expect(health.index.vectors).toBe(vectorize.vectors.size);
    const res = await app.request('/api/search?q=%E5%88%9D%E4%BF%A1%E5%88%9D%E8%AE%BF&k=3');
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { docId: string; start: number; end: number; text: string }[] };
    expect(results).toHaveLength(3);
    for (const r of results) expect(bundle.documents.find((d) => d.id === r.docId)!.text.slice(r.start, r.end)).toBe(r.text);
    expect(ai.calls.length).toBeGreaterThan(0);
    expect(vectorize.calls.some((c) => c.op === 'query' && c.size <= 100)).toBe(true);
  });

  it('YIJU_RETRIEVAL=bundled keeps the bundled index even with the bindings present', async () => {
    const { app } = appFor({ AI: ai, VECTORIZE: vectorize, YIJU_RETRIEVAL: 'bundled' });
    expect(((await (await app.request('/api/health')).json()) as { retrieval: string }).retrieval).toBe('lexical');
  });

  it('answers generatively through Workers AI chat with YIJU_CHAT=workers-ai, streamed and not, citations verified', async () => {
    const { app } = appFor({ AI: ai, YIJU_CHAT: 'workers-ai', YIJU_WORKERS_AI_CHAT_MODEL: '@cf/test/model' });
    const health = (await (await app.request('/api/health')).json()) as { answerMode: string; chatModel: string };
    expect(health).toMatchObject({ answerMode: 'generative', chatModel: 'workers-ai:@cf/test/model' });
    const a = (await (await ask(app, '初信初访应该怎么处理？')).json()) as Answer;
    expect(a).toMatchObject({ mode: 'generative', grounded: true });
    expect(a.fallback).toBeUndefined();
    expect(a.citations.length).toBe(1);
    expectExact(a);
    expect(ai.chats.at(-1)!.model).toBe('@cf/test/model');

    const events = parseSSE(await (await app.request('/api/chat', postJson({ question: '初信初访应该怎么处理？' }))).text());
    expect(events[0]!.event).toBe('citations');
    expect(events.at(-1)!.event).toBe('done');
    const done = JSON.parse(events.at(-1)!.data) as { answer: string; mode: string };
    expect(done.mode).toBe('generative');
    expect(
      events
        .filter((e) => e.event === 'delta')
        .map((e) => (JSON.parse(e.data) as { text: string }).text)
        .join(''),
    ).toBe(done.answer);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAIEmbedder } from '../../../src/adapters/embedders/openaiEmbedder.js';
import { dot } from '../../helpers/fakeEmbedder.js';
import { embeddingsRoute, serverEmbedding, startOpenAIServer, type OpenAIServer } from '../../helpers/openaiServer.js';

const EMBEDDINGS = 'POST /v1/embeddings';
const DIMS = 12;
let server: OpenAIServer;

beforeEach(async () => {
  server = await startOpenAIServer({ [EMBEDDINGS]: embeddingsRoute({ dimensions: DIMS, shuffle: true }) });
});
afterEach(async () => {
  await server.close();
});

const embedder = (extra: Partial<ConstructorParameters<typeof OpenAIEmbedder>[0]> = {}) =>
  new OpenAIEmbedder({ apiKey: 'sk-test-key', baseURL: server.baseURL, model: 'test-embed', maxRetries: 0, ...extra });

function normalised(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('OpenAIEmbedder against a local OpenAI-compatible server', () => {
  it('splits 150 inputs into batches of 64 (3 requests) and keeps the input order', async () => {
    const texts = Array.from({ length: 150 }, (_, i) => `第${i}段：信访工作要落实责任。`);
    const progress: number[] = [];
    const vectors = await embedder({ batchSize: 64 }).embed(texts, 'passage', (done) => progress.push(done));
    const calls = server.requestsTo(EMBEDDINGS);
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => (c.body as { input: string[] }).input.length)).toEqual([64, 64, 22]);
    expect(calls.flatMap((c) => (c.body as { input: string[] }).input)).toEqual(texts);
    expect(progress).toEqual([64, 128, 150]);
    expect(vectors).toHaveLength(150);
    texts.forEach((t, i) => {
      const expected = normalised(serverEmbedding(t, DIMS));
      vectors[i]!.forEach((x, j) => expect(x).toBeCloseTo(expected[j]!, 5));
    });
  });

  it('restores the order by index when the server returns rows shuffled', async () => {
    const texts = ['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛'];
    // The server really does shuffle.
    const reply = await embeddingsRoute({ dimensions: DIMS, shuffle: true })({ method: 'POST', path: '/v1/embeddings', headers: {}, body: { input: texts } });
    const order = (reply.body as { data: { index: number }[] }).data.map((d) => d.index);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));

    const vectors = await embedder().embed(texts, 'passage');
    texts.forEach((t, i) => {
      const sims = texts.map((u) => dot(vectors[i]!, normalised(serverEmbedding(u, DIMS))));
      expect(sims[i]).toBeCloseTo(1, 5);
      expect(Math.max(...sims.filter((_, j) => j !== i))).toBeLessThan(0.9999);
    });
  });

  it('returns unit-length Float32Arrays', async () => {
    const vectors = await embedder().embed(['初信初访', '联席会议'], 'passage');
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
  });

  it('learns its dimensions with probe() when not configured', async () => {
    const e = embedder();
    expect(e.dimensions).toBe(0);
    expect(await e.probe()).toBe(e);
    expect(e.dimensions).toBe(DIMS);
    expect(server.requestsTo(EMBEDDINGS)).toHaveLength(1);
    await e.probe();
    expect(server.requestsTo(EMBEDDINGS)).toHaveLength(1);
  });

  it('probe() sends nothing when the dimensions are configured', async () => {
    const e = await embedder({ dimensions: DIMS }).probe();
    expect(e.dimensions).toBe(DIMS);
    expect(server.requests).toEqual([]);
  });

  it('sends the key as a Bearer token, the model, and float encoding', async () => {
    await embedder().embed(['信访'], 'passage');
    const [req] = server.requestsTo(EMBEDDINGS);
    expect(req!.headers.authorization).toBe('Bearer sk-test-key');
    expect(req!.body).toMatchObject({ model: 'test-embed', input: ['信访'], encoding_format: 'float' });
  });

  it('has an id naming the endpoint and the model', () => {
    expect(embedder().id).toBe(`openai:${server.baseURL}:test-embed`);
    expect(new OpenAIEmbedder({ apiKey: 'k', model: 'text-embedding-3-small' }).id).toBe('openai:https://api.openai.com/v1:text-embedding-3-small');
  });

  it('prefixes queries (not passages) with the configured instruction', async () => {
    const e = embedder({ queryPrefix: '为这个句子生成表示以用于检索相关文章：' });
    await e.embed(['初信初访'], 'query');
    await e.embed(['初信初访'], 'passage');
    const inputs = server.requestsTo(EMBEDDINGS).map((r) => (r.body as { input: string[] }).input[0]);
    expect(inputs).toEqual(['为这个句子生成表示以用于检索相关文章：初信初访', '初信初访']);
  });

  it('retries a 500 and then succeeds (maxRetries)', async () => {
    server.failNext(500);
    const vectors = await embedder({ maxRetries: 2 }).embed(['信访', '工作'], 'passage');
    expect(vectors).toHaveLength(2);
    expect(server.requestsTo(EMBEDDINGS)).toHaveLength(2);
    expect(server.requestsTo(EMBEDDINGS).map((r) => r.body)).toEqual([
      expect.objectContaining({ input: ['信访', '工作'] }),
      expect.objectContaining({ input: ['信访', '工作'] }),
    ]);
  });

  it('gives up after maxRetries and reports the error', async () => {
    server.failNext(500, 5, 'upstream exploded');
    await expect(embedder({ maxRetries: 1 }).embed(['信访'], 'passage')).rejects.toThrow(/upstream exploded|500/u);
    expect(server.requestsTo(EMBEDDINGS)).toHaveLength(2);
  });

  it('rejects a response with the wrong number of vectors', async () => {
    server.route(EMBEDDINGS, () => ({
      body: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [1, 0] }], model: 'm', usage: { prompt_tokens: 1, total_tokens: 1 } },
    }));
    await expect(embedder().embed(['a', 'b'], 'passage')).rejects.toThrow(/1 vectors for 2 inputs/u);
  });

  it('sends nothing for no input', async () => {
    expect(await embedder().embed([], 'passage')).toEqual([]);
    expect(server.requests).toEqual([]);
  });
});

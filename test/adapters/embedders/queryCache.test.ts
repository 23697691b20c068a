import { describe, expect, it } from 'vitest';
import { QueryCachingEmbedder } from '../../../src/adapters/embedders/queryCache.js';
import type { Embedder } from '../../../src/core/ports.js';
import { FakeEmbedder } from '../../helpers/fakeEmbedder.js';

describe('QueryCachingEmbedder', () => {
  it('answers a repeated query from memory with the same vector, and keeps the inner id and size', async () => {
    const inner = new FakeEmbedder();
    const cached = new QueryCachingEmbedder(inner, 10);
    expect([cached.id, cached.dimensions]).toEqual([inner.id, inner.dimensions]);
    const [a] = await cached.embed(['初信初访怎么办'], 'query');
    const [b] = await cached.embed(['初信初访怎么办'], 'query');
    expect(Array.from(b!)).toEqual(Array.from(a!));
    expect(Array.from(a!)).toEqual(Array.from(inner.vector('初信初访怎么办')));
    expect(inner.calls).toHaveLength(1);
    expect(cached.stats()).toEqual({ hits: 1, misses: 1, size: 1, max: 10 });
  });

  it('embeds only the uncached texts of a batch, once each, in order', async () => {
    const inner = new FakeEmbedder();
    const cached = new QueryCachingEmbedder(inner, 10);
    await cached.embed(['甲'], 'query');
    const out = await cached.embed(['乙', '甲', '乙', '丙'], 'query');
    expect(inner.calls.at(-1)!.texts).toEqual(['乙', '丙']);
    expect(out.map((v) => Array.from(v))).toEqual(['乙', '甲', '乙', '丙'].map((t) => Array.from(inner.vector(t))));
  });

  it('never caches passages', async () => {
    const inner = new FakeEmbedder();
    const cached = new QueryCachingEmbedder(inner, 10);
    await cached.embed(['段落'], 'passage');
    await cached.embed(['段落'], 'passage');
    expect(inner.calls).toHaveLength(2);
    expect(cached.stats().size).toBe(0);
  });

  it('is bounded: the least recently used query is evicted', async () => {
    const inner = new FakeEmbedder();
    const cached = new QueryCachingEmbedder(inner, 2);
    for (const q of ['一', '二', '一', '三']) await cached.embed([q], 'query');
    inner.reset();
    await cached.embed(['一'], 'query');
    expect(inner.calls).toHaveLength(0);
    await cached.embed(['二'], 'query');
    expect(inner.calls).toHaveLength(1);
    expect(cached.stats().size).toBe(2);
  });

  it('shares one model call between concurrent requests for the same new query', async () => {
    const inner = new FakeEmbedder();
    const cached = new QueryCachingEmbedder(inner, 10);
    const all = await Promise.all(Array.from({ length: 20 }, () => cached.embed(['同一个问题'], 'query')));
    expect(inner.calls).toHaveLength(1);
    expect(new Set(all.map(([v]) => Array.from(v!).join(','))).size).toBe(1);
  });

  it('does not cache a failure: the next request tries the model again', async () => {
    let fail = true;
    const inner: Embedder = {
      id: 'flaky',
      dimensions: 2,
      embed: async (texts) => (fail ? Promise.reject(new Error('model busy')) : texts.map(() => Float32Array.from([1, 0]))),
    };
    const cached = new QueryCachingEmbedder(inner, 10);
    await expect(cached.embed(['问'], 'query')).rejects.toThrow('model busy');
    fail = false;
    expect(Array.from((await cached.embed(['问'], 'query'))[0]!)).toEqual([1, 0]);
  });

  it('hands out copies: a caller writing into its vector does not change the cache', async () => {
    const cached = new QueryCachingEmbedder(new FakeEmbedder(), 10);
    const [v] = await cached.embed(['问题'], 'query');
    const before = Array.from(v!);
    v!.fill(0);
    expect(Array.from((await cached.embed(['问题'], 'query'))[0]!)).toEqual(before);
  });
});

import { describe, expect, it } from 'vitest';
import { ExactVectorStore } from '../../../src/adapters/vectorstores/exactStore.js';
import { VECTORIZE_MAX_ID_BYTES, VectorizeStore, vectorizeId } from '../../../src/adapters/workers/vectorizeStore.js';
import { rng } from '../../helpers/random.js';
import { randomUnitVector } from '../../helpers/vectors.js';
import { FakeVectorize } from '../../helpers/workersFakes.js';

describe('VectorizeStore (Vectorize v2 binding)', () => {
  it('finds the same nearest neighbours as exact search (scores too)', async () => {
    const r = rng(7);
    const items = Array.from({ length: 300 }, (_, i) => ({ id: `s:doc#${i}:0`, vector: randomUnitVector(r, 32) }));
    const store = new VectorizeStore(new FakeVectorize());
    const exact = new ExactVectorStore(32);
    await store.upsert(items);
    exact.upsert(items);
    expect(store.size).toBe(300);
    for (let q = 0; q < 10; q++) {
      const query = randomUnitVector(r, 32);
      const got = await store.search(query, 10);
      const want = exact.search(query, 10);
      expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
      got.forEach((h, i) => expect(h.score).toBeCloseTo(want[i]!.score, 5));
    }
  });

  it('stores ids longer than 64 bytes as stable hashes and maps them back', async () => {
    const long = `s:${'信访工作会议讲话'.repeat(4)}#3:1`;
    expect(new TextEncoder().encode(long).length).toBeGreaterThan(VECTORIZE_MAX_ID_BYTES);
    expect(vectorizeId(long)).toMatch(/^h:[0-9a-f]+$/u);
    expect(new TextEncoder().encode(vectorizeId(long)).length).toBeLessThanOrEqual(VECTORIZE_MAX_ID_BYTES);
    expect(vectorizeId(long)).toBe(vectorizeId(long));
    expect(vectorizeId('c:001_0ef072b5e6e0e6d4#2')).toBe('c:001_0ef072b5e6e0e6d4#2');

    const index = new FakeVectorize();
    const store = new VectorizeStore(index);
    await store.upsert([
      { id: long, vector: [1, 0, 0] },
      { id: 'short', vector: [0, 1, 0] },
    ]);
    expect([...index.vectors.keys()].sort()).toEqual([vectorizeId(long), 'short'].sort());
    expect((await store.search([1, 0, 0], 1))[0]!.id).toBe(long);
    // A new store over the same index learns the mapping from the ids the manifest lists.
    const reopened = new VectorizeStore(index, { ids: [long, 'short'] });
    expect(reopened.size).toBe(2);
    expect((await reopened.search([1, 0, 0], 1))[0]).toMatchObject({ id: long });
  });

  it('upserts and deletes in batches, replaces a vector on upsert, and forgets deleted ids', async () => {
    const index = new FakeVectorize();
    const store = new VectorizeStore(index, { batchSize: 4 });
    await store.upsert(Array.from({ length: 10 }, (_, i) => ({ id: `v${i}`, vector: [i, 1] })));
    expect(index.calls.filter((c) => c.op === 'upsert').map((c) => c.size)).toEqual([4, 4, 2]);
    await store.upsert([{ id: 'v3', vector: [0, -1] }]);
    expect(store.size).toBe(10);
    expect(index.vectors.get('v3')).toEqual([0, -1]);
    await store.delete(['v0', 'v1', 'v2', 'v3', 'v4']);
    expect(index.calls.filter((c) => c.op === 'delete').map((c) => c.size)).toEqual([4, 1]);
    expect(store.size).toBe(5);
    expect((await store.search([1, 1], 100)).map((h) => h.id).sort()).toEqual(['v5', 'v6', 'v7', 'v8', 'v9']);
  });

  it("asks for at most 100 matches, without values or metadata (Vectorize's limit)", async () => {
    const index = new FakeVectorize();
    const store = new VectorizeStore(index);
    await store.upsert(Array.from({ length: 150 }, (_, i) => ({ id: `v${i}`, vector: [Math.cos(i), Math.sin(i)] })));
    expect(await store.search([1, 0], 400)).toHaveLength(100);
    expect(index.calls.at(-1)).toEqual({ op: 'query', size: 100 });
    expect(await store.search([1, 0], 0)).toHaveLength(1);
  });
});

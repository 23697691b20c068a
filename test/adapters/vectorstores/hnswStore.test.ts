import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExactVectorStore } from '../../../src/adapters/vectorstores/exactStore.js';
import { CorruptVectorIndexError, HnswVectorStore } from '../../../src/adapters/vectorstores/hnswStore.js';
import { makeTempDir } from '../../helpers/corpus.js';
import { dot } from '../../helpers/fakeEmbedder.js';
import { rng } from '../../helpers/random.js';
import { randomUnitVector } from '../../helpers/vectors.js';

const D = 16;
let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = makeTempDir('yiju-hnsw-');
});
afterEach(() => tmp.cleanup());

function filled(n: number, seed = 1, prefix = 'v', options = {}) {
  const r = rng(seed);
  const store = new HnswVectorStore(D, options);
  const items = Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, vector: randomUnitVector(r, D) }));
  store.upsert(items);
  return { store, items };
}

describe('HnswVectorStore basics', () => {
  it('finds a stored vector as its own nearest neighbour with cosine ≈ 1', () => {
    const { store, items } = filled(50);
    for (const item of items.slice(0, 10)) {
      const [top] = store.search(item.vector, 1);
      expect(top!.id).toBe(item.id);
      expect(top!.score).toBeCloseTo(1, 5);
    }
  });

  it('scores are cosine similarities (inner products of unit vectors), best first', () => {
    const { store, items } = filled(30);
    const q = randomUnitVector(rng(99), D);
    const hits = store.search(q, 30);
    expect(hits).toHaveLength(30);
    const byId = new Map(items.map((i) => [i.id, i.vector]));
    for (const h of hits) expect(h.score).toBeCloseTo(dot(q, byId.get(h.id)!), 5);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
  });

  it('returns at most k and at most size hits; nothing when empty', () => {
    const { store } = filled(5);
    expect(store.search(randomUnitVector(rng(3), D), 3)).toHaveLength(3);
    expect(store.search(randomUnitVector(rng(3), D), 100)).toHaveLength(5);
    expect(new HnswVectorStore(D).search(randomUnitVector(rng(3), D), 5)).toEqual([]);
  });

  it('agrees with exact search on a few hundred vectors', () => {
    const { store, items } = filled(400, 5);
    const exact = new ExactVectorStore(D);
    exact.upsert(items);
    const r = rng(6);
    let overlap = 0;
    for (let q = 0; q < 20; q++) {
      const v = randomUnitVector(r, D);
      const a = new Set(store.search(v, 10).map((h) => h.id));
      overlap += exact.search(v, 10).filter((h) => a.has(h.id)).length;
    }
    expect(overlap / 200).toBeGreaterThanOrEqual(0.95);
  });

  it('grows beyond its initial capacity', () => {
    const { store, items } = filled(100, 2, 'v', { initialCapacity: 8 });
    expect(store.size).toBe(100);
    expect(store.search(items[99]!.vector, 1)[0]!.id).toBe('v99');
  });

  it('upserting an existing id replaces its vector', () => {
    const { store } = filled(10);
    const v = randomUnitVector(rng(42), D);
    store.upsert([{ id: 'v3', vector: v }]);
    expect(store.size).toBe(10);
    expect(store.search(v, 1)[0]).toEqual({ id: 'v3', score: expect.closeTo(1, 5) });
    expect(store.search(v, 10).filter((h) => h.id === 'v3')).toHaveLength(1);
  });

  it('deleted ids are no longer found; unknown ids are ignored', () => {
    const { store, items } = filled(10);
    store.delete(['v1', 'v2', 'nope']);
    expect(store.size).toBe(8);
    const ids = store.search(items[1]!.vector, 10).map((h) => h.id);
    expect(ids).not.toContain('v1');
    expect(ids).not.toContain('v2');
    expect(ids).toHaveLength(8);
  });

  it('rejects a vector of the wrong size', () => {
    const store = new HnswVectorStore(D);
    expect(() => store.upsert([{ id: 'x', vector: new Float32Array(D + 1) }])).toThrow(/dimensions/u);
  });
});

describe('HnswVectorStore deletes and re-inserts (incremental index updates)', () => {
  it('vectors inserted into freed slots can be deleted again', () => {
    // A document of 100 vectors is indexed, a larger one removed (60 vectors), an edited one re-added (30)…
    const { store } = filled(100, 7);
    store.delete(Array.from({ length: 60 }, (_, i) => `v${i}`));
    const r = rng(8);
    const fresh = Array.from({ length: 30 }, (_, i) => ({ id: `n${i}`, vector: randomUnitVector(r, D) }));
    store.upsert(fresh);
    expect(store.size).toBe(70);
    // …and edited again: its vectors are deleted.
    expect(() => store.delete(fresh.map((f) => f.id))).not.toThrow();
    expect(store.size).toBe(40);
    expect(
      store
        .search(fresh[0]!.vector, 40)
        .map((h) => h.id)
        .filter((id) => id.startsWith('n')),
    ).toEqual([]);
  });

  it('vectors inserted into freed slots can be deleted again after save and load', () => {
    const { store } = filled(14, 9);
    store.delete(Array.from({ length: 14 }, (_, i) => `v${i}`));
    const r = rng(10);
    const fresh = Array.from({ length: 2 }, (_, i) => ({ id: `n${i}`, vector: randomUnitVector(r, D) }));
    store.upsert(fresh);
    const path = join(tmp.dir, 'v.hnsw');
    store.save(path);
    const loaded = HnswVectorStore.load(path);
    expect(loaded.size).toBe(2);
    expect(() => loaded.delete(['n0', 'n1'])).not.toThrow();
    expect(loaded.size).toBe(0);
    expect(loaded.search(fresh[0]!.vector, 5)).toEqual([]);
  });

  it.each([1, 2, 3])('matches exact search through a random sequence of upserts, deletes, saves and loads (seed %i)', (seed) => {
    const r = rng(seed);
    let store = new HnswVectorStore(D, { initialCapacity: 8, ef: 400 });
    const exact = new ExactVectorStore(D);
    const ids = Array.from({ length: 40 }, (_, i) => `id${i}`);
    const path = join(tmp.dir, `s${seed}.hnsw`);
    for (let step = 0; step < 300; step++) {
      if (r.chance(0.6)) {
        const batch = new Map<string, Float32Array>();
        for (let j = r.int(1, 5); j > 0; j--) batch.set(r.pick(ids), randomUnitVector(r, D));
        const items = [...batch].map(([id, vector]) => ({ id, vector }));
        store.upsert(items);
        exact.upsert(items);
      } else {
        const del = Array.from({ length: r.int(1, 4) }, () => r.pick(ids));
        store.delete(del);
        exact.delete(del);
      }
      if (step % 40 === 39) {
        store.save(path);
        store = HnswVectorStore.load(path);
        store.setEf(400);
      }
      expect(store.size, `size after step ${step}`).toBe(exact.size);
    }
    const q = randomUnitVector(r, D);
    expect(store.search(q, 10).map((h) => h.id)).toEqual(exact.search(q, 10).map((h) => h.id));
  });
});

describe('HnswVectorStore persistence', () => {
  it('save/load round trip keeps ids, size and results', () => {
    const { store, items } = filled(60, 11);
    store.delete(['v5']);
    const path = join(tmp.dir, 'v.hnsw');
    store.save(path);
    expect(existsSync(path)).toBe(true);
    expect(existsSync(`${path}.labels.json`)).toBe(true);
    const loaded = HnswVectorStore.load(path);
    expect(loaded.size).toBe(59);
    expect(loaded.dimensions).toBe(D);
    const r = rng(12);
    for (let i = 0; i < 5; i++) {
      const q = randomUnitVector(r, D);
      expect(loaded.search(q, 10)).toEqual(store.search(q, 10));
    }
    expect(loaded.search(items[5]!.vector, 59).map((h) => h.id)).not.toContain('v5');
    // A loaded store can be extended.
    loaded.upsert([{ id: 'extra', vector: items[5]!.vector }]);
    expect(loaded.search(items[5]!.vector, 1)[0]!.id).toBe('extra');
  });

  it('missing files → CorruptVectorIndexError', () => {
    expect(() => HnswVectorStore.load(join(tmp.dir, 'none.hnsw'))).toThrow(CorruptVectorIndexError);
    const { store } = filled(5);
    const path = join(tmp.dir, 'v.hnsw');
    store.save(path);
    writeFileSync(`${path}.labels.json`, '');
    expect(() => HnswVectorStore.load(path)).toThrow(CorruptVectorIndexError);
  });

  it('a truncated graph file → CorruptVectorIndexError (not a crash)', () => {
    const { store } = filled(5);
    const path = join(tmp.dir, 'v.hnsw');
    store.save(path);
    truncateSync(path, 40);
    expect(() => HnswVectorStore.load(path)).toThrow(/truncated/u);
  });

  it('labels that do not match the graph → CorruptVectorIndexError', () => {
    const { store } = filled(5);
    const path = join(tmp.dir, 'v.hnsw');
    store.save(path);
    const labels = JSON.parse(readFileSync(`${path}.labels.json`, 'utf8')) as { labels: unknown[] };
    labels.labels.push(['ghost']);
    writeFileSync(`${path}.labels.json`, JSON.stringify(labels));
    expect(() => HnswVectorStore.load(path)).toThrow(CorruptVectorIndexError);
  });
});

describe('HnswVectorStore.get (cached reads)', () => {
  it('returns the stored vector, and the new one after an upsert, delete or compact', () => {
    const r = rng(41);
    const store = new HnswVectorStore(D);
    const [a, b] = [randomUnitVector(r, D), randomUnitVector(r, D)];
    store.upsert([
      { id: 'x', vector: a },
      { id: 'y', vector: b },
    ]);
    expect(Array.from(store.get('x')!)).toEqual(Array.from(a));
    expect(store.get('x')).toBe(store.get('x'));
    store.upsert([{ id: 'x', vector: b }]);
    expect(Array.from(store.get('x')!)).toEqual(Array.from(b));
    store.delete(['x']);
    expect(store.get('x')).toBeUndefined();
    store.upsert([{ id: 'x', vector: a }]);
    store.compact();
    expect(Array.from(store.get('x')!)).toEqual(Array.from(a));
    expect(Array.from(store.get('y')!)).toEqual(Array.from(b));
  });
});

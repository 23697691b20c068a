import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import hnswlib from 'hnswlib-node';
import { LRUCache } from 'lru-cache';
import type { Vector, VectorHit, VectorStore } from '../../core/ports.js';

const { HierarchicalNSW } = hnswlib;

export interface HnswOptions {
  m?: number;
  efConstruction?: number;
  /** Search breadth; higher is slower and more exact. */
  ef?: number;
  initialCapacity?: number;
}

interface LabelFile {
  format: 2;
  dimensions: number;
  /** Ids stored under each graph label (null: a freed label). */
  labels: (string[] | null)[];
  options: Required<HnswOptions>;
}

export class CorruptVectorIndexError extends Error {
  override name = 'CorruptVectorIndexError';
}

/** Exact identity of a vector's float32 bytes (FNV-1a over the 32-bit words, twice seeded). */
function vectorKey(v: Vector): string {
  const words = new Uint32Array(Float32Array.from(v).buffer);
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ words.length;
  for (const w of words) {
    a = Math.imul(a ^ w, 0x01000193);
    b = Math.imul(b ^ w, 0x5bd1e995);
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}`;
}

/**
 * Approximate nearest-neighbour search with hnswlib-node (inner product on
 * normalised vectors = cosine).
 *
 * String ids map to numeric graph labels. Identical vectors (the same
 * sentence in several speeches, e.g. "同志们：") share one graph node: HNSW
 * cannot keep exact duplicates reachable, and one node per distinct vector
 * is also smaller. Deleting the last id of a node frees its label for reuse.
 */
export class HnswVectorStore implements VectorStore {
  private index: InstanceType<typeof HierarchicalNSW>;
  private labelOf = new Map<string, number>();
  private idsOf: (Set<string> | null)[] = [];
  private labelByKey = new Map<string, number>();
  private keyOf = new Map<number, string>();
  private free: number[] = [];
  private count = 0;
  /** Recently read vectors: hnswlib copies a point into a JS array on every read, answers read the same sentences again. */
  private readonly points = new LRUCache<string, Float32Array>({ max: 20_000 });
  private readonly options: Required<HnswOptions>;

  constructor(
    readonly dimensions: number,
    options: HnswOptions = {},
    skipInit = false,
  ) {
    this.options = { m: 16, efConstruction: 200, ef: 100, initialCapacity: 1024, ...options };
    this.index = new HierarchicalNSW('ip', dimensions);
    if (!skipInit) this.initGraph(this.options.initialCapacity);
  }

  private initGraph(capacity: number): void {
    this.index = new HierarchicalNSW('ip', this.dimensions);
    this.index.initIndex({ maxElements: Math.max(1, capacity), m: this.options.m, efConstruction: this.options.efConstruction, allowReplaceDeleted: false });
    this.index.setEf(this.options.ef);
  }

  /** Number of ids stored. */
  get size(): number {
    return this.count;
  }

  /** Number of distinct vectors (graph nodes) in use. */
  get nodes(): number {
    return this.idsOf.length - this.free.length;
  }

  /** Search breadth from now on (also kept by compact() and save()). */
  setEf(ef: number): void {
    this.options.ef = ef;
    this.index.setEf(ef);
  }

  upsert(items: { id: string; vector: Vector }[]): void {
    for (const { id, vector } of items) {
      if (vector.length !== this.dimensions) throw new Error(`vector for ${id} has ${vector.length} dimensions, expected ${this.dimensions}`);
      this.delete([id]);
      const key = vectorKey(vector);
      let label = this.labelByKey.get(key);
      if (label === undefined) label = this.addNode(vector, key);
      this.idsOf[label]!.add(id);
      this.labelOf.set(id, label);
      this.count++;
    }
  }

  private addNode(vector: Vector, key: string): number {
    const reuse = this.free.pop();
    const label = reuse ?? this.idsOf.length;
    if (reuse === undefined && label >= this.index.getMaxElements()) this.index.resizeIndex(Math.max(label + 1, this.index.getMaxElements() * 2));
    // Reuse the freed label itself: unmark it and update its point in place.
    if (reuse !== undefined) this.index.unmarkDelete(reuse);
    this.index.addPoint(Array.from(vector), label, false);
    this.idsOf[label] = new Set();
    this.labelByKey.set(key, label);
    this.keyOf.set(label, key);
    return label;
  }

  delete(ids: string[]): void {
    for (const id of ids) {
      this.points.delete(id);
      const label = this.labelOf.get(id);
      if (label === undefined) continue;
      this.labelOf.delete(id);
      this.count--;
      const set = this.idsOf[label]!;
      set.delete(id);
      if (set.size === 0) {
        this.index.markDelete(label);
        this.idsOf[label] = null;
        this.labelByKey.delete(this.keyOf.get(label)!);
        this.keyOf.delete(label);
        this.free.push(label);
      }
    }
  }

  /**
   * Rebuilds the graph from the live vectors. Deletes and in-place updates
   * can leave HNSW nodes poorly connected; a fresh graph restores recall.
   */
  compact(): void {
    const live = [...this.labelOf.entries()].map(([id, label]) => ({ id, vector: this.index.getPoint(label) }));
    this.initGraph(Math.max(this.nodes, this.options.initialCapacity));
    this.labelOf.clear();
    this.labelByKey.clear();
    this.keyOf.clear();
    this.idsOf = [];
    this.free = [];
    this.count = 0;
    this.upsert(live);
  }

  /** The stored vector (shared with a cache: read it, do not write into it). */
  get(id: string): Float32Array | undefined {
    const cached = this.points.get(id);
    if (cached) return cached;
    const label = this.labelOf.get(id);
    if (label === undefined) return undefined;
    const point = Float32Array.from(this.index.getPoint(label));
    this.points.set(id, point);
    return point;
  }

  search(query: Vector, k: number): VectorHit[] {
    const n = Math.min(k, this.nodes);
    if (n <= 0) return [];
    const { neighbors, distances } = this.index.searchKnn(Array.from(query), n);
    const hits: VectorHit[] = [];
    neighbors.forEach((label, i) => {
      for (const id of this.idsOf[label] ?? []) hits.push({ id, score: 1 - distances[i]! });
    });
    return hits.slice(0, k);
  }

  save(indexPath: string): void {
    this.index.writeIndexSync(indexPath);
    const file: LabelFile = { format: 2, dimensions: this.dimensions, labels: this.idsOf.map((s) => (s ? [...s] : null)), options: this.options };
    writeFileSync(`${indexPath}.labels.json`, JSON.stringify(file));
  }

  static load(indexPath: string): HnswVectorStore {
    const labelPath = `${indexPath}.labels.json`;
    if (!existsSync(indexPath) || !existsSync(labelPath)) throw new CorruptVectorIndexError(`vector index ${indexPath} is missing`);
    let file: LabelFile;
    try {
      file = JSON.parse(readFileSync(labelPath, 'utf8')) as LabelFile;
      if (file.format !== 2 || !Array.isArray(file.labels)) throw new Error('unknown label file format');
    } catch (err) {
      throw new CorruptVectorIndexError(`vector index labels ${labelPath} are unreadable: ${(err as Error).message}`);
    }
    const store = new HnswVectorStore(file.dimensions, file.options, true);
    // hnswlib aborts the process on some truncated files, so check the size it implies first.
    const size = statSync(indexPath).size;
    if (size < 96) throw new CorruptVectorIndexError(`vector index ${indexPath} is truncated (${size} bytes)`);
    try {
      store.index.readIndexSync(indexPath, false);
    } catch (err) {
      throw new CorruptVectorIndexError(`vector index ${indexPath} is unreadable: ${(err as Error).message}`);
    }
    if (store.index.getCurrentCount() !== file.labels.length) {
      throw new CorruptVectorIndexError(`vector index ${indexPath} holds ${store.index.getCurrentCount()} vectors but its labels list ${file.labels.length}`);
    }
    store.index.setEf(file.options.ef);
    file.labels.forEach((ids, label) => {
      if (!ids) {
        store.idsOf[label] = null;
        store.free.push(label);
        return;
      }
      store.idsOf[label] = new Set(ids);
      const key = vectorKey(store.index.getPoint(label));
      store.labelByKey.set(key, label);
      store.keyOf.set(label, key);
      for (const id of ids) store.labelOf.set(id, label);
      store.count += ids.length;
    });
    return store;
  }
}

/**
 * Okapi BM25 over pre-segmented documents. Pure and serialisable, so it can be
 * persisted next to the vector index or bundled into a Worker.
 */
export interface Bm25Options {
  k1?: number;
  b?: number;
}

export interface Bm25Snapshot {
  k1: number;
  b: number;
  ids: string[];
  lengths: number[];
  /** term -> [docIndex, termFrequency][] */
  postings: Record<string, [number, number][]>;
}

export interface Bm25Hit {
  id: string;
  score: number;
  /** Sum of IDF of the query terms present in this document. */
  matchedIdf: number;
}

/** Query term multiplicities. */
export function weights(terms: readonly string[]): Map<string, number> {
  const w = new Map<string, number>();
  for (const t of terms) w.set(t, (w.get(t) ?? 0) + 1);
  return w;
}

export class Bm25Index {
  private k1: number;
  private b: number;
  private ids: string[] = [];
  private lengths: number[] = [];
  private postings = new Map<string, [number, number][]>();
  private totalLength = 0;

  constructor(options: Bm25Options = {}) {
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
  }

  get size(): number {
    return this.ids.length;
  }

  add(id: string, terms: readonly string[]): void {
    const index = this.ids.length;
    this.ids.push(id);
    this.lengths.push(terms.length);
    this.totalLength += terms.length;
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [term, freq] of tf) {
      let list = this.postings.get(term);
      if (!list) this.postings.set(term, (list = []));
      list.push([index, freq]);
    }
  }

  /** Robertson–Spärck Jones IDF, floored at a small positive value so common terms still count a little. */
  idf(term: string): number {
    const n = this.postings.get(term)?.length ?? 0;
    const N = this.ids.length;
    return Math.max(0.01, Math.log(1 + (N - n + 0.5) / (n + 0.5)));
  }

  /** IDF of a term, also for terms the collection lacks (as if seen in no document). */
  termWeight(term: string): number {
    return this.postings.has(term) ? this.idf(term) : Math.log(1 + (this.ids.length + 0.5) / 0.5);
  }

  /** Weighted sum of IDF of the query terms: the best possible `matchedIdf`. A term given twice counts twice. */
  queryIdf(terms: readonly string[]): number {
    let sum = 0;
    for (const [t, w] of weights(terms)) sum += w * this.termWeight(t);
    return sum;
  }

  /** Every indexed term (the vocabulary). */
  vocabulary(): IterableIterator<string> {
    return this.postings.keys();
  }

  /** Ids of the documents that contain a term. */
  containing(term: string): string[] {
    return (this.postings.get(term) ?? []).map(([doc]) => this.ids[doc]!);
  }

  /** Ranks documents; a term repeated in the query weighs proportionally more. */
  search(terms: readonly string[], k = Infinity): Bm25Hit[] {
    const avg = this.ids.length ? this.totalLength / this.ids.length : 0;
    const scores = new Map<number, { score: number; matchedIdf: number }>();
    for (const [term, weight] of weights(terms)) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = weight * this.idf(term);
      for (const [doc, freq] of list) {
        const len = this.lengths[doc]!;
        const norm = freq + this.k1 * (1 - this.b + (this.b * len) / (avg || 1));
        const s = scores.get(doc) ?? { score: 0, matchedIdf: 0 };
        s.score += (idf * freq * (this.k1 + 1)) / norm;
        s.matchedIdf += idf;
        scores.set(doc, s);
      }
    }
    return [...scores.entries()]
      .map(([doc, s]) => ({ id: this.ids[doc]!, score: s.score, matchedIdf: s.matchedIdf }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, k);
  }

  toJSON(): Bm25Snapshot {
    return { k1: this.k1, b: this.b, ids: this.ids, lengths: this.lengths, postings: Object.fromEntries(this.postings) };
  }

  static fromJSON(s: Bm25Snapshot): Bm25Index {
    const index = new Bm25Index({ k1: s.k1, b: s.b });
    index.ids = [...s.ids];
    index.lengths = [...s.lengths];
    index.totalLength = s.lengths.reduce((a, b) => a + b, 0);
    index.postings = new Map(Object.entries(s.postings));
    return index;
  }
}

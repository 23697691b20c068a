import { describe, expect, it } from 'vitest';
import { Bm25Index, type Bm25Snapshot } from '../../../src/core/lexical/bm25.js';

const filler = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`);

/** A toy collection where each pair of documents differs in exactly one respect. */
function toy(): Bm25Index {
  const idx = new Bm25Index();
  // Term frequency: same length, 信访 once vs three times.
  idx.add('tf1', ['信访', ...filler(5, 'a')]);
  idx.add('tf3', ['信访', '信访', '信访', ...filler(3, 'b')]);
  // Length: 信访 once in a short and in a long document.
  idx.add('short', ['信访', ...filler(2, 'c')]);
  idx.add('long', ['信访', ...filler(30, 'd')]);
  // Rarity: 包案 occurs in one document only, 工作 in several.
  idx.add('rare', ['包案', ...filler(5, 'e')]);
  idx.add('common', ['工作', ...filler(5, 'f')]);
  idx.add('w1', ['工作', ...filler(5, 'g')]);
  idx.add('w2', ['工作', ...filler(5, 'h')]);
  return idx;
}

const rank = (idx: Bm25Index, terms: string[]) => idx.search(terms).map((h) => h.id);
const score = (idx: Bm25Index, terms: string[], id: string) => idx.search(terms).find((h) => h.id === id)?.score ?? 0;

describe('Bm25Index ranking', () => {
  it('finds exactly the documents that contain a query term', () => {
    expect(new Set(rank(toy(), ['信访']))).toEqual(new Set(['tf1', 'tf3', 'short', 'long']));
    expect(rank(toy(), ['包案'])).toEqual(['rare']);
  });

  it('term frequency: more occurrences score higher (same length)', () => {
    const idx = toy();
    expect(score(idx, ['信访'], 'tf3')).toBeGreaterThan(score(idx, ['信访'], 'tf1'));
  });

  it('term frequency saturates: three occurrences score less than three times one', () => {
    const idx = toy();
    expect(score(idx, ['信访'], 'tf3')).toBeLessThan(3 * score(idx, ['信访'], 'tf1'));
  });

  it('length normalisation: the same match in a shorter document scores higher', () => {
    const idx = toy();
    expect(score(idx, ['信访'], 'short')).toBeGreaterThan(score(idx, ['信访'], 'long'));
  });

  it('without length normalisation (b = 0) document length does not matter', () => {
    const idx = new Bm25Index({ b: 0 });
    idx.add('short', ['信访', 'x']);
    idx.add('long', ['信访', ...filler(30, 'y')]);
    const hits = idx.search(['信访']);
    expect(hits[0]!.score).toBeCloseTo(hits[1]!.score, 10);
  });

  it('IDF: a rarer term weighs more', () => {
    const idx = toy();
    expect(idx.idf('包案')).toBeGreaterThan(idx.idf('工作'));
    expect(idx.idf('工作')).toBeGreaterThan(idx.idf('信访'));
    // Same length, one occurrence each: the document with the rare term wins a query with both.
    expect(rank(idx, ['工作', '包案'])[0]).toBe('rare');
  });

  it('IDF stays positive even for a term in every document', () => {
    const idx = new Bm25Index();
    idx.add('a', ['信访', 'x']);
    idx.add('b', ['信访', 'y']);
    expect(idx.idf('信访')).toBeGreaterThan(0);
    expect(idx.search(['信访'])).toHaveLength(2);
  });

  it('a document matching more query terms ranks higher', () => {
    const idx = new Bm25Index();
    idx.add('both', ['初信初访', '化解', 'z1']);
    idx.add('one', ['初信初访', 'z2', 'z3']);
    expect(rank(idx, ['初信初访', '化解'])).toEqual(['both', 'one']);
  });

  it('returns at most k hits, best first, ties broken by id', () => {
    const idx = toy();
    expect(idx.search(['信访'], 2).map((h) => h.id)).toEqual(rank(idx, ['信访']).slice(0, 2));
    const hits = idx.search(['工作']);
    expect(hits.map((h) => h.id)).toEqual(['common', 'w1', 'w2']);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
  });

  it('an empty query, an unknown term or an empty index gives no hits', () => {
    expect(toy().search([])).toEqual([]);
    expect(toy().search(['不存在的词'])).toEqual([]);
    expect(new Bm25Index().search(['信访'])).toEqual([]);
  });
});

describe('matchedIdf and queryIdf', () => {
  it('matchedIdf is the sum of the IDF of the query terms a document contains', () => {
    const idx = new Bm25Index();
    idx.add('both', ['包案', '稳控', 'x']);
    idx.add('one', ['包案', 'y']);
    idx.add('none', ['z']);
    const hits = idx.search(['包案', '稳控']);
    expect(hits.find((h) => h.id === 'both')!.matchedIdf).toBeCloseTo(idx.idf('包案') + idx.idf('稳控'), 10);
    expect(hits.find((h) => h.id === 'one')!.matchedIdf).toBeCloseTo(idx.idf('包案'), 10);
  });

  it('queryIdf is the best possible matchedIdf: reached when every term matches', () => {
    const idx = new Bm25Index();
    idx.add('both', ['包案', '稳控']);
    idx.add('other', ['信访']);
    const q = ['包案', '稳控'];
    expect(idx.queryIdf(q)).toBeCloseTo(idx.search(q)[0]!.matchedIdf, 10);
  });

  it('unknown query terms count in queryIdf, so coverage drops below 1', () => {
    const idx = toy();
    const hit = idx.search(['包案', '未知词'])[0]!;
    const coverage = hit.matchedIdf / idx.queryIdf(['包案', '未知词']);
    expect(coverage).toBeGreaterThan(0);
    expect(coverage).toBeLessThan(0.6);
    // An unknown term weighs at least as much as the rarest known one.
    expect(idx.queryIdf(['未知词'])).toBeGreaterThanOrEqual(idx.idf('包案'));
  });

  it('queryIdf of an empty query is 0', () => {
    expect(toy().queryIdf([])).toBe(0);
  });
});

describe('serialisation', () => {
  const queries = [['信访'], ['包案', '工作'], ['信访', '工作', '包案', '未知'], ['a1'], []];

  it('toJSON/fromJSON through a JSON string gives identical results', () => {
    const idx = toy();
    const copy = Bm25Index.fromJSON(JSON.parse(JSON.stringify(idx.toJSON())) as Bm25Snapshot);
    expect(copy.size).toBe(idx.size);
    for (const q of queries) {
      expect(copy.search(q)).toEqual(idx.search(q));
      expect(copy.queryIdf(q)).toBe(idx.queryIdf(q));
    }
    expect(copy.idf('包案')).toBe(idx.idf('包案'));
  });

  it('keeps k1 and b', () => {
    const idx = new Bm25Index({ k1: 2, b: 0.3 });
    idx.add('a', ['信访', '信访', 'x']);
    idx.add('b', ['信访', ...filler(9, 'y')]);
    const copy = Bm25Index.fromJSON(JSON.parse(JSON.stringify(idx.toJSON())) as Bm25Snapshot);
    expect(copy.toJSON().k1).toBe(2);
    expect(copy.toJSON().b).toBe(0.3);
    expect(copy.search(['信访'])).toEqual(idx.search(['信访']));
  });

  it('a restored index can be extended like the original', () => {
    const idx = toy();
    const copy = Bm25Index.fromJSON(JSON.parse(JSON.stringify(idx.toJSON())) as Bm25Snapshot);
    idx.add('new', ['信访', '包案']);
    copy.add('new', ['信访', '包案']);
    for (const q of queries) expect(copy.search(q)).toEqual(idx.search(q));
  });

  it('survives terms that are names of Object.prototype members', () => {
    const idx = new Bm25Index();
    idx.add('a', ['constructor', 'toString', '__proto__', 'hasOwnProperty']);
    idx.add('b', ['信访']);
    const copy = Bm25Index.fromJSON(JSON.parse(JSON.stringify(idx.toJSON())) as Bm25Snapshot);
    for (const t of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(copy.search([t])).toEqual(idx.search([t]));
    expect(copy.search(['valueOf'])).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { corpusDomain } from '../helpers/domain.js';

const DOMAIN_TERMS = corpusDomain().terms;
import {
  MAX_PASSAGE_CHARS,
  MIN_PASSAGE_CHARS,
  mulberry32,
  PASSAGES_PER_DOCUMENT,
  SYNTHETIC_TOPICS,
  syntheticPassage,
  syntheticPassages,
  syntheticQueries,
} from '../../bench/syntheticCorpus.js';

const SAMPLE = 10_000;
const sample = [...syntheticPassages(SAMPLE, 42)];

/** Distinct character bigrams (a segmenter-free vocabulary measure). */
function bigrams(texts: string[]): Set<string> {
  const out = new Set<string>();
  for (const t of texts) for (let i = 0; i + 1 < t.length; i++) out.add(t.slice(i, i + 2));
  return out;
}

describe('mulberry32', () => {
  it('is deterministic and in [0, 1)', () => {
    const a = mulberry32(9),
      b = mulberry32(9);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(1000);
  });
});

describe('syntheticPassages', () => {
  it('is deterministic: the same seed gives the same text, another seed another text', () => {
    const again = [...syntheticPassages(500, 42)];
    expect(again).toEqual(sample.slice(0, 500));
    const other = [...syntheticPassages(500, 43)];
    expect(other.filter((p, i) => p.text === sample[i]!.text).length).toBe(0);
  });

  it('is random-access: passage i does not depend on the passages before it', () => {
    for (const i of [0, 1, 19, 20, 4321, SAMPLE - 1]) expect(syntheticPassage(i, 42)).toEqual(sample[i]);
  });

  it('keeps every passage within the length range', () => {
    const lengths = sample.map((p) => p.text.length);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(MIN_PASSAGE_CHARS);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    expect(mean).toBeGreaterThan(180);
    expect(mean).toBeLessThan(280);
  });

  it('varies: ≥ 99 % distinct passages, every topic present, vocabulary grows with size', () => {
    expect(new Set(sample.map((p) => p.text)).size).toBeGreaterThanOrEqual(0.99 * SAMPLE);
    expect(new Set(sample.map((p) => p.topic))).toEqual(new Set(SYNTHETIC_TOPICS));
    const small = bigrams(sample.slice(0, 1000).map((p) => p.text)).size;
    const large = bigrams(sample.map((p) => p.text)).size;
    expect(large).toBeGreaterThan(small * 1.2);
    expect(new Set(sample.flatMap((p) => p.places)).size).toBeGreaterThan(1000);
  });

  it('reads like petition-work speech: domain terms, Chinese punctuation, figures', () => {
    const domain = sample.slice(0, 1000).filter((p) => DOMAIN_TERMS.some((t) => p.text.includes(t))).length;
    expect(domain).toBeGreaterThan(900);
    expect(sample.every((p) => p.text.endsWith('。') || p.text.endsWith('？'))).toBe(true);
    expect(sample.slice(0, 1000).filter((p) => /\d/u.test(p.text)).length).toBeGreaterThan(300);
    expect(sample.every((p) => p.keyTerms.every((t) => p.text.includes(t)))).toBe(true);
  });

  it('groups consecutive passages into documents', () => {
    expect(sample[0]!.docId).toBe(sample[PASSAGES_PER_DOCUMENT - 1]!.docId);
    expect(sample[PASSAGES_PER_DOCUMENT]!.docId).not.toBe(sample[0]!.docId);
    expect(sample[0]!.id).toBe('syn-0');
  });
});

describe('syntheticQueries', () => {
  const queries = syntheticQueries(200, 42, SAMPLE);

  it('is deterministic and names valid source passages', () => {
    expect(syntheticQueries(200, 42, SAMPLE)).toEqual(queries);
    expect(queries).toHaveLength(200);
    for (const q of queries) {
      expect(q.sourceIndex).toBeGreaterThanOrEqual(0);
      expect(q.sourceIndex).toBeLessThan(SAMPLE);
      expect(q.sourceId).toBe(sample[q.sourceIndex]!.id);
    }
    expect(new Set(queries.map((q) => q.sourceIndex)).size).toBeGreaterThan(190);
  });

  it('asks about terms of the source passage, mostly in its own words', () => {
    for (const q of queries) {
      expect(q.text).toMatch(/[？?]$/u);
      expect(q.terms.length).toBeGreaterThan(0);
      for (const t of q.terms) expect(q.text).toContain(t);
    }
    const verbatim = queries.filter((q) => q.terms.some((t) => sample[q.sourceIndex]!.text.includes(t))).length;
    expect(verbatim).toBeGreaterThan(0.9 * queries.length);
    // Paraphrase-ish: not every question term is copied from the passage.
    expect(queries.some((q) => q.terms.some((t) => !sample[q.sourceIndex]!.text.includes(t)))).toBe(true);
  });

  it('only draws from the first n passages', () => {
    for (const q of syntheticQueries(50, 42, 30)) expect(q.sourceIndex).toBeLessThan(30);
  });
});

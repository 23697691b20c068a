import { describe, expect, it } from 'vitest';
import { memoSegmenter } from '../../../src/core/lexical/memoSegmenter.js';
import type { Segmenter } from '../../../src/core/ports.js';

describe('memoSegmenter', () => {
  const counting = () => {
    const calls = { terms: 0, query: 0 };
    const inner: Segmenter = {
      terms: (t) => (calls.terms++, [...t]),
      queryTerms: (t) => (calls.query++, [...t]),
    };
    return { inner, calls };
  };

  it('segments a passage once, and hands out copies', () => {
    const { inner, calls } = counting();
    const seg = memoSegmenter(inner);
    const first = seg.terms('信访');
    first.push('改');
    expect(seg.terms('信访')).toEqual(['信', '访']);
    expect(calls.terms).toBe(1);
  });

  it('does not cache queries, and is bounded', () => {
    const { inner, calls } = counting();
    const seg = memoSegmenter(inner, 2);
    seg.queryTerms('问');
    seg.queryTerms('问');
    expect(calls.query).toBe(2);
    for (const t of ['一', '二', '三', '一']) seg.terms(t);
    expect(calls.terms).toBe(4);
  });
});

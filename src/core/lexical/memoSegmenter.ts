import { LRUCache } from 'lru-cache';
import type { Segmenter } from '../ports.js';

/**
 * A Segmenter that remembers the terms of recently segmented passages (a
 * bounded LRU): answers segment the same retrieved sentences again and again.
 * Query terms are not cached (queries vary; retrieval segments them once).
 */
export function memoSegmenter(segmenter: Segmenter, max = 20_000): Segmenter {
  const cache = new LRUCache<string, string[]>({ max });
  return {
    terms(text) {
      let terms = cache.get(text);
      if (!terms) cache.set(text, (terms = segmenter.terms(text)));
      return [...terms];
    },
    queryTerms: (text) => segmenter.queryTerms(text),
  };
}

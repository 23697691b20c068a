import type { Span } from '../types.js';
import { SENTENCE_ENDERS, isTrailing } from './punctuation.js';

/**
 * Splits `text.slice(start, end)` into sentences, returned as absolute spans.
 * A sentence ends after a sentence ender (plus any closing quotes or brackets)
 * or at a line break; surrounding whitespace is excluded.
 */
export function splitSentences(docId: string, text: string, start = 0, end = text.length): Span[] {
  const spans: Span[] = [];
  let s = start;
  const push = (a: number, b: number) => {
    while (a < b && /\s/u.test(text[a]!)) a++;
    while (b > a && /\s/u.test(text[b - 1]!)) b--;
    if (b > a) spans.push({ docId, start: a, end: b });
  };
  for (let i = start; i < end; i++) {
    const ch = text[i]!;
    if (ch === '\n') {
      push(s, i);
      s = i + 1;
    } else if (SENTENCE_ENDERS.includes(ch)) {
      let j = i + 1;
      while (j < end && isTrailing(text[j]) && !SENTENCE_ENDERS.includes(text[j]!)) j++;
      push(s, j);
      s = j;
      i = j - 1;
    }
  }
  push(s, end);
  return spans;
}

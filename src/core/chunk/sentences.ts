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

/**
 * Splits a long sentence into clause groups at commas (，,、is kept inside):
 * each group is at least `minLength` characters where possible. Short
 * sentences come back whole. Used to embed the parts of long sentences
 * whose point sits in one clause ("…，对于扰乱公共秩序并劝说无效的，…").
 */
export function splitClauses(text: string, span: Span, maxSentence = 60, minLength = 16): Span[] {
  if (span.end - span.start <= maxSentence) return [span];
  const out: Span[] = [];
  let start = span.start;
  for (let i = span.start; i < span.end; i++) {
    const ch = text[i]!;
    if ((ch === '，' || ch === ',' || ch === '：' || ch === ':') && i + 1 - start >= minLength) {
      out.push({ docId: span.docId, start, end: i + 1 });
      start = i + 1;
    }
  }
  if (start < span.end) {
    const last = out[out.length - 1];
    if (last && span.end - start < minLength) last.end = span.end;
    else out.push({ docId: span.docId, start, end: span.end });
  }
  return out.length > 1 ? out : [span];
}

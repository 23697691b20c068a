import type { Segmenter } from '../ports.js';
import { normaliseTerms } from './stopwords.js';

const HAN = /\p{Script=Han}/u;
/** Runs of Han characters, or of letters and digits (Latin words, numbers). */
const RUNS = /\p{Script=Han}+|[\p{L}\p{N}]+/gu;

/**
 * Segmentation without a segmenter library: longest match against a known
 * vocabulary, e.g. the terms of a prebuilt BM25 index (for runtimes where
 * jieba cannot run, such as Cloudflare Workers). Like jieba's search mode it
 * also emits the vocabulary words inside each longest match, so 垃圾分类 yields
 * 垃圾分类 and 垃圾, 分类 when those are indexed. Terms outside the vocabulary
 * could not match any passage anyway, so BM25 loses nothing by skipping them;
 * single characters are skipped too unless they stand alone.
 */
export class VocabularySegmenter implements Segmenter {
  private readonly words: Set<string>;
  private readonly maxLength: number;

  constructor(vocabulary: Iterable<string>) {
    this.words = new Set([...vocabulary].map((w) => w.toLowerCase()));
    // A loop, not Math.max(...all): a large vocabulary would overflow the argument list.
    let longest = 1;
    for (const w of this.words) longest = Math.max(longest, [...w].length);
    this.maxLength = longest;
  }

  terms(text: string): string[] {
    return this.segment(text, false);
  }

  /**
   * Like `terms`, and a stretch of two or more characters outside the
   * vocabulary is kept as one term: it matches nothing, but it is part of the
   * question, so the share of the question the corpus covers stays honest
   * (办营业执照 must not vanish from "办营业执照需要带哪些材料").
   */
  queryTerms(text: string): string[] {
    return this.segment(text, true);
  }

  private segment(text: string, keepUnknown: boolean): string[] {
    const out: string[] = [];
    for (const run of text.toLowerCase().match(RUNS) ?? []) {
      if (!HAN.test(run)) {
        if (this.words.has(run) || (keepUnknown && run.length > 1)) out.push(run);
        continue;
      }
      const chars = [...run];
      let unknown = '';
      const flushUnknown = () => {
        // In pairs of characters, as a segmenter would cut unseen words (个人所得税 → 个人/所得/税).
        const u = [...unknown];
        if (keepUnknown && u.length > 1) for (let k = 0; k + 1 < u.length; k += 2) out.push(u[k]! + u[k + 1]!);
        unknown = '';
      };
      let i = 0;
      while (i < chars.length) {
        let len = Math.min(this.maxLength, chars.length - i);
        while (len > 1 && !this.words.has(chars.slice(i, i + len).join(''))) len--;
        const word = chars.slice(i, i + len).join('');
        // A lone character left between known words is mostly a fragment of an unknown word (经办人 → 经/办/人):
        // only a run of one character counts as a word by itself.
        if (this.words.has(word) && (len > 1 || chars.length === 1)) {
          flushUnknown();
          out.push(word);
          // Search mode: the indexed words inside a longer match.
          for (let a = 0; a < len && len > 2; a++) {
            for (let b = a + 2; b <= len; b++) {
              if (a === 0 && b === len) continue;
              const inner = chars.slice(i + a, i + b).join('');
              if (this.words.has(inner)) out.push(inner);
            }
          }
        } else unknown += word;
        i += len;
      }
      flushUnknown();
    }
    return normaliseTerms(out);
  }
}

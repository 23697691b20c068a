import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { normaliseTerms } from '../../core/lexical/stopwords.js';
import type { Segmenter } from '../../core/ports.js';

/** Frequency given to user-dictionary words so jieba keeps them whole. */
const USER_WORD_FREQ = 200000;

/** Formats words as a jieba dictionary (`word freq tag` per line). */
export function toJiebaDict(words: readonly string[]): string {
  return words.map((w) => `${w.trim()} ${USER_WORD_FREQ} n`).join('\n') + '\n';
}

/** Chinese word segmentation with @node-rs/jieba (search mode) and a user dictionary (the domain pack's terms, the user's). */
export class JiebaSegmenter implements Segmenter {
  private readonly jieba: Jieba;

  constructor(words: readonly string[] = []) {
    this.jieba = Jieba.withDict(dict);
    if (words.length) this.jieba.loadDict(Buffer.from(toJiebaDict(words)));
  }

  terms(text: string): string[] {
    return normaliseTerms(this.jieba.cutForSearch(text, true));
  }

  queryTerms(text: string): string[] {
    return this.terms(text);
  }
}

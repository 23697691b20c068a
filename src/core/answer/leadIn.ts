import { splitSentences } from '../chunk/sentences.js';
import type { Document } from '../types.js';
import type { ScoredSentence } from './sentenceSelection.js';

/**
 * Lead-in completion: a sentence that announces what follows ("关键要做到“三个带头”。", "主要有以下几点：") says
 * nothing by itself; quoted, it is extended over the sentences that complete it — up to the item its count
 * announces ("三要…"), or while the following sentences open with an enumerator — as one exact span.
 */

/** A lead-in is short (characters, punctuation excluded): a long sentence that ends in a colon already says something. */
export const LEAD_IN_MAX = 40;
/** The completion reaches at most this far past the lead-in (characters): a list, not the rest of the speech. */
export const COMPLETION_MAX = 400;

const NUMERALS = '一二三四五六七八九十';
const COUNT = /(?<![第\d])([两二三四五六七八九十])(?:个|条|项|点|方面|要|不|到)/u;
const ANNOUNCES =
  /[：:]\s*$|(?:以下|如下)(?:几|[两二三四五六七八九十])?(?:点|个方面|条|项)?|(?<![第\d])[两二三四五六七八九十](?:个|条|项|点|个方面)[“"「]?[\p{Script=Han}]{0,8}[”"」]?[。！；;，,]?\s*$/u;
const ENUMERATOR = new RegExp(`^\\s*(?:[${NUMERALS}]+(?:是|要|、|，|：)|第[${NUMERALS}]+[，、：是]|（[${NUMERALS}]+）|\\d+[.、．]|首先|其次)`, 'u');

const squashedLength = (s: string) => s.replace(/[\s\p{P}\p{S}]/gu, '').length;
const numeral = (ch: string) => (ch === '两' ? 2 : NUMERALS.indexOf(ch) + 1);
/** The sentence that opens the n-th item: "三要…", "三是…", "第三，…", "（三）…". */
const nthItem = (n: number) =>
  new RegExp(`(?:^|[。；;！\\s])\\s*(?:${NUMERALS[n - 1]}(?:是|要|、|，|：)|第${NUMERALS[n - 1]}[，、：是]|（${NUMERALS[n - 1]}）)`, 'u');

export function isLeadIn(text: string): boolean {
  return squashedLength(text) <= LEAD_IN_MAX && ANNOUNCES.test(text);
}

/** The sentence extended over what completes it, or the sentence itself when it is no lead-in or nothing follows. */
export function completeLeadIn(sentence: ScoredSentence, doc: Document): ScoredSentence {
  if (!isLeadIn(sentence.text)) return sentence;
  const following = splitSentences(doc.id, doc.text, sentence.end, Math.min(doc.text.length, sentence.end + COMPLETION_MAX));
  if (!following.length || !ENUMERATOR.test(doc.text.slice(following[0]!.start, following[0]!.end))) return sentence;
  const count = COUNT.exec(sentence.text)?.[1];
  let end = sentence.end;
  if (count) {
    // Up to the end of the sentence that opens the last announced item.
    const last = nthItem(numeral(count));
    const at = following.findIndex((s) => last.test(doc.text.slice(s.start, s.end)) || last.test(doc.text.slice(following[0]!.start, s.end)));
    if (at < 0) return sentence;
    end = following[at]!.end;
  } else {
    for (const s of following) {
      if (!ENUMERATOR.test(doc.text.slice(s.start, s.end))) break;
      end = s.end;
    }
  }
  return { ...sentence, end, text: doc.text.slice(sentence.start, end) };
}

/**
 * Numbered headings as speeches write them: "一、…", "（二）…" or "(二)…", "第三，…" / "第三部分：…". A heading is
 * short; speeches put it on a line of its own, often with a sentence end.
 */
export const NUMBERED_HEADING = /^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+(?:部分|章|节)?[，、：:])/u;

/** A heading is at most this long (characters, punctuation and spaces excluded). */
export const MAX_HEADING = 30;

/** Whether a line (or a sentence) is a numbered heading by its shape: the numbering, and short. */
export function isNumberedHeading(line: string): boolean {
  return NUMBERED_HEADING.test(line) && line.replace(/[\s\p{P}\p{S}]/gu, '').length <= MAX_HEADING;
}

import nzh from 'nzh/cn';

/**
 * Figures a question asserts (“建党九十五周年”, “立案率达到60%”, “6批80人”) and whether a speech states them, in either
 * way of writing a number (95 and 九十五). Chinese numerals count only with 十 or 百 in them and two characters at
 * least and not inside a longer run of numeral characters, so words such as 万一十分, 千万 or 十分 and list names such
 * as 三个带头 are not figures.
 */
const ARABIC = /\d+(?:\.\d+)?/gu;
const CHINESE = /(?<![零一二三四五六七八九十百千万两])[一二三四五六七八九两]?[十百][零一二三四五六七八九十]*/gu;
/** A year written out is a date, not a figure (the year check covers it). */
const YEAR_AFTER = /^年/u;

/** Both spellings of a whole number below ten thousand; a decimal or larger number only as written. */
function spellings(value: string): string[] {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 && n < 10_000 ? [String(n), nzh.encodeS(n)] : [value];
}

/** The figures of a text, each with the ways a speech could write it. */
export function figuresIn(text: string): { written: string; spellings: string[] }[] {
  const out: { written: string; spellings: string[] }[] = [];
  for (const m of text.matchAll(ARABIC)) {
    if (m[0].length === 4 && YEAR_AFTER.test(text.slice(m.index + 4))) continue;
    out.push({ written: m[0], spellings: spellings(m[0]) });
  }
  for (const m of text.matchAll(CHINESE)) {
    if (m[0].length < 2) continue;
    const value = nzh.decodeS(m[0].replaceAll('两', '二'));
    out.push({ written: m[0], spellings: Number(value) > 0 ? [m[0], ...spellings(value)] : [m[0]] });
  }
  return out;
}

/** The first figure the question asserts that the text never states, in either spelling; null when it states all. */
export function unstatedFigure(question: string, text: string): string | null {
  return figuresIn(question).find((f) => !f.spellings.some((s) => text.includes(s)))?.written ?? null;
}

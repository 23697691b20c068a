import nzh from 'nzh/cn';

/**
 * Figures a question asserts (“建党九十五周年”, “立案率达到60%”, “6批80人”) and whether a speech states them, in either
 * way of writing a number (95 and 九十五). Chinese numerals count only with 十 or 百 in them and two characters at
 * least and not inside a longer run of numeral characters, so words such as 万一十分, 千万 or 十分 and list names such
 * as 三个带头 are not figures; nor are years (2016), and a question offering alternatives (60日还是90日) asserts none.
 */
const ARABIC = /\d+(?:\.\d+)?/gu;
const CHINESE = /(?<![零一二三四五六七八九十百千万两])[一二三四五六七八九两]?[十百][零一二三四五六七八九十]*/gu;
/** A four-digit number that can be a year (2016, 2016年, 2016 年) is a date, not a figure (the year check covers it). */
const YEARLIKE = /^(?:19|20)\d\d$/u;
/** A question that offers alternatives ("是60日还是90日？") asserts none of its figures. */
const ALTERNATIVES = /还是|或者|或是/u;

/**
 * The spellings of a whole number below ten thousand (60, 六十; 200, 二百, 两百); and of ten thousand and more,
 * in 万 too (20000, 2万, 两万). A decimal only as written.
 */
function spellings(value: string): string[] {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) return [value];
  if (n >= 10_000) return n % 10_000 === 0 ? [value, `${n / 10_000}万`, ...spellings(String(n / 10_000)).map((w) => `${w}万`)] : [value];
  const chinese = nzh.encodeS(n);
  return [...new Set([String(n), chinese, chinese.replace(/^二(?=[百千])/u, '两')])];
}

/** The figures of a text, each with the ways a speech could write it. */
export function figuresIn(text: string): { written: string; spellings: string[] }[] {
  const out: { written: string; spellings: string[] }[] = [];
  for (const m of text.matchAll(ARABIC)) {
    if (YEARLIKE.test(m[0])) continue;
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
  if (ALTERNATIVES.test(question)) return null;
  return figuresIn(question).find((f) => !f.spellings.some((s) => text.includes(s)))?.written ?? null;
}

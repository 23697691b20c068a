/**
 * Seeded pseudo-random generators for property-style tests. Deterministic:
 * the same seed always yields the same text, so a failure can be replayed.
 */

import { mulberry32 } from '../../bench/syntheticCorpus.js';

/** mulberry32 (shared with the synthetic corpus generator): numbers in [0, 1). */
export const seededRandom = (seed: number): (() => number) => mulberry32(seed);

export interface Rng {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function rng(seed: number): Rng {
  const next = seededRandom(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

/** Common characters of the speeches, plus a few rarer ones. */
const HAN = [
  ...'信访工作群众问题领导干部责任落实矛盾纠纷排查化解依法按政策解决诉求会议同志们要进一步加强和改进社会稳定基层县市省乡镇部门单位制度机制到位处理初越级联席包案重点人员稳控源头防范办结督查',
];
/** Astral-plane characters (surrogate pairs in UTF-16) to check that offsets are code-unit based. */
const ASTRAL = ['𠀀', '𪚥', '😀'];
const ASCII_WORDS = ['GDP', 'APP', '12345', 'Yiju', 'hotline', 'v2.0', 'No.3', '2023', 'XX', 'XXX', '*', '**', 'a', 'OK'];
const CLAUSE_END = ['，', '、', '；', '：'];
const SENTENCE_END = ['。', '！', '？', '；', '。', '。'];

export interface RandomTextOptions {
  /** Approximate number of characters to produce. */
  length: number;
  /** Probability that a "sentence" is a long run without any punctuation. */
  longRunChance?: number;
  /** Probability of a line break after a sentence. */
  newlineChance?: number;
}

function word(r: Rng): string {
  if (r.chance(0.08)) return r.pick(ASCII_WORDS);
  if (r.chance(0.01)) return r.pick(ASTRAL);
  const n = r.int(1, 4);
  let s = '';
  for (let i = 0; i < n; i++) s += r.pick(HAN);
  return s;
}

function clause(r: Rng): string {
  let s = '';
  const words = r.int(1, 8);
  for (let i = 0; i < words; i++) {
    s += word(r);
    if (r.chance(0.05)) s += ' '.repeat(r.int(1, 3));
  }
  return s;
}

/**
 * Random Chinese-ish text: sentences of clauses separated by ，、；：, ended by 。！？；,
 * with quotes “” and brackets （）, ASCII words and numbers, spaces, line breaks (single
 * and blank lines), and occasional very long runs without punctuation (longer than any
 * chunk size used in the tests). It never begins with punctuation.
 */
export function randomChineseText(seed: number, options: RandomTextOptions): string {
  const r = rng(seed);
  const longRunChance = options.longRunChance ?? 0.05;
  const newlineChance = options.newlineChance ?? 0.2;
  let out = '';
  while (out.length < options.length) {
    let sentence = '';
    if (r.chance(longRunChance)) {
      // A long unpunctuated run (e.g. a list pasted without commas).
      const target = r.int(200, 900);
      while (sentence.length < target) sentence += word(r);
    } else {
      const clauses = r.int(1, 5);
      for (let i = 0; i < clauses; i++) {
        let c = clause(r);
        if (r.chance(0.12)) c = `“${c}”`;
        else if (r.chance(0.08)) c = `（${c}）`;
        sentence += c;
        if (i < clauses - 1) sentence += r.pick(CLAUSE_END);
      }
    }
    const end = r.pick(SENTENCE_END);
    // Closing quotes/brackets after the ender, as in “……。” or （……。）.
    sentence = r.chance(0.08) ? `“${sentence}${end}”` : sentence + end;
    if (r.chance(0.03)) sentence += '……';
    out += sentence;
    if (r.chance(newlineChance)) out += r.chance(0.3) ? '\n\n' : '\n';
    else if (r.chance(0.05)) out += ' ';
  }
  return out;
}

import type { DetailType, Domain } from '../domain/pack.js';
import type { SourceInfo } from '../ingest/sourceInfo.js';
import { namedScopes } from '../domain/scopes.js';
import { unstatedFigure } from './figures.js';
import type { AnswerabilityReason } from './types.js';

/**
 * Whether the quoted evidence answers what the question asks, beyond being about its subject: a detail the
 * question asks for that the evidence does not give, or a level, year or place the question names that the
 * evidence does not match. Mechanisms only; the words (detail types, levels) come from the domain pack.
 */

/** A quoted sentence (or passage) and the document it comes from. */
export interface Evidence {
  docId: string;
  text: string;
}

/** Whether the documents answer a question, decided before any answer is written; for a partial, what is missing. */
export type Verdict =
  | { answerable: 'yes'; corrects?: string }
  | { answerable: 'no'; reason: AnswerabilityReason }
  | { answerable: 'partial'; reason: 'detail_not_given'; detail: { zh: string; en: string } }
  | ({ answerable: 'partial'; reason: 'constraint_mismatch' } & Mismatch);

/**
 * What the question names that the evidence does not match: a speech (named: 《title》), a setting (a level, year or
 * place: named as the question says it, actual: where the evidence comes from), or a figure the speech never states.
 */
export type Mismatch = { kind: 'speech' | 'setting'; named: string; actual: string } | { kind: 'figure'; named: string };

/**
 * A match whose last this-many characters the question already says is not news: "从徐局长" (a name pattern's match)
 * does not give the full name of the 徐局长 the question asks about.
 */
const SAID_SUFFIX = 3;

/** A phrase put in quotation marks (“七个不得”, “三到一重”): the name a speech or a question gives a list, a rule, a slogan. */
const QUOTED = /[“"「]([^“”"「」]{2,12})[”"」]/gu;
/** The phrases a text puts in quotation marks. */
export const quotedNames = (text: string): string[] => [...new Set([...text.matchAll(QUOTED)].map((m) => m[1]!))];

/**
 * A detail of a quoted name is given within this many characters after it (“三个带头”。一是…; 七个不得：…), not by
 * an enumeration further on. Tuned on test/eval/trust-dev.json (detail, multipart and near_domain questions).
 */
const NAMED_REACH = 30;

/**
 * Where evidence could give a detail: just after a quoted name that both the question and the evidence use, when
 * they share one (what “七个不得” are is said right after the name, not by another list in the passage); else anywhere.
 */
function detailRegions(question: string, evidence: readonly Evidence[]): string[] {
  const names = new Set([...question.matchAll(QUOTED), ...evidence.flatMap((e) => [...e.text.matchAll(QUOTED)])].map((m) => m[1]!));
  const regions: string[] = [];
  for (const name of names) {
    if (!question.includes(name)) continue;
    for (const e of evidence) {
      const at = e.text.indexOf(name);
      if (at >= 0) regions.push(e.text.slice(at, at + name.length + NAMED_REACH));
    }
  }
  return regions.length ? regions : evidence.map((e) => e.text);
}

/**
 * The first detail the question asks for that no evidence gives: a match of the type's `givenBy` that the
 * question does not already say, in the unit the question asks for when its `asks` names one (a group `unit`) (after the quoted name the question asks about, when there is one). Null when
 * every detail asked is given.
 */
export function missingDetail(question: string, evidence: readonly Evidence[], details: readonly DetailType[]): DetailType | null {
  const regions = detailRegions(question, evidence);
  for (const t of details) {
    const asked = t.asks.exec(question);
    if (!asked) continue;
    // The unit asked (多少分) must be the unit given (扣5分, not 2起); 个, asked or given, counts anything (54个案件).
    const unit = asked.groups?.unit;
    const ofUnit = (given: string) => !unit || unit === GENERIC_UNIT || given.includes(unit) || given.includes(GENERIC_UNIT);
    const given = regions.some((text) => [...text.matchAll(t.givenBy)].some((m) => !question.includes(m[0].slice(-SAID_SUFFIX)) && ofUnit(m[0])));
    if (!given) return t;
  }
  return null;
}

/**
 * A question that asks whether something is so (…有20批，是这样吗？): the speeches answer it when they state the
 * figure, also when the figure the question asserts is not theirs: the answer corrects it rather than being withheld.
 */
export const ASKS_WHETHER = /是这样吗|是吗|对吗|对吧|对不对|是不是|是真的吗|没错吧|is (?:it|that) (?:right|true|so)/iu;

/** The measure word that counts anything: asked 多少个, any figure gives it; given 54个, it gives any unit. */
const GENERIC_UNIT = '个';

/** A year written out ("2023年"): the documents' dates must say it, or the evidence must. */
const YEAR = /(?:19|20)\d{2}年/gu;
/**
 * A level, year, figure or place the question names that its evidence does not match: the level is matched by the
 * speech's own level or by the evidence mentioning that level at all (the scope's cues and mentions); a year by the
 * speech's date or the evidence; a figure the question asserts (九十五周年, 60%) by the speech stating it, in either
 * spelling; a place (from the gazetteer) by the speech's text or its place. The first mismatch, or null.
 */
export function constraintMismatch(
  question: string,
  lead: Evidence,
  source: SourceInfo,
  domain: Pick<Domain, 'scopes'>,
  speech: { places?: readonly string[]; text: string } = { text: lead.text },
): Mismatch | null {
  for (const { name, cue } of namedScopes(question, domain)) {
    const scope = domain.scopes.find((s) => s.name === name)!;
    if (source.level === name || [...scope.cues, ...scope.mentions].some((c) => lead.text.includes(c))) continue;
    return { kind: 'setting', named: cue, actual: source.level };
  }
  for (const [year] of question.matchAll(YEAR)) {
    if (source.date.includes(year.slice(0, 4)) || lead.text.includes(year)) continue;
    return { kind: 'setting', named: year, actual: source.date };
  }
  const figure = unstatedFigure(question, speech.text);
  if (figure) return { kind: 'figure', named: figure };
  for (const place of speech.places ?? []) {
    if (speech.text.includes(place) || source.place.includes(place)) continue;
    return { kind: 'setting', named: place, actual: source.place };
  }
  return null;
}

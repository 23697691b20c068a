import type { Domain } from '../domain/pack.js';
import type { SourceInfo } from '../ingest/sourceInfo.js';
import type { Segmenter } from '../ports.js';
import { namedScopes } from '../domain/scopes.js';

/** What is known of a document for matching a described setting to it: its level, and the terms of its title, meeting and place. */
export interface SpeechProfile {
  id: string;
  level: string;
  terms: ReadonlySet<string>;
}

/** A document's profile (segmented once, when the profiles are first needed). */
export function speechProfile(id: string, title: string, source: SourceInfo, segmenter: Segmenter): SpeechProfile {
  return { id, level: source.level, terms: new Set(segmenter.terms([title, source.meeting, source.place].join(' '))) };
}

/**
 * How far before a speech cue its description runs ("县工作领导小组会议", "总队党委那次讲话"), at most: it ends
 * at the previous punctuation mark.
 */
const SETTING_SPAN = 20;

/** Each speech cue of a question with what precedes it in its clause ("总队那次", "那次讲话"). */
function settingParts(question: string, cues: readonly RegExp[]): string[] {
  const parts: string[] = [];
  for (const cue of cues) {
    for (const m of question.matchAll(cue)) {
      const before = question.slice(Math.max(0, m.index - SETTING_SPAN), m.index);
      const clause = before.split(/[\p{P}\s]/u).pop() ?? '';
      parts.push(clause + m[0]);
    }
  }
  return parts;
}

/** The words of a question that describe the document it means: each speech cue with what precedes it in its clause. */
export const settingOf = (question: string, cues: readonly RegExp[]): string => settingParts(question, cues).join(' ');

/** What is left of a question shorter than this (characters, punctuation excluded) without its setting is searched whole. */
const MIN_REST = 4;

/**
 * The question without the words that name its document ("总队那次讲话对安全生产提了什么要求？" → "对安全生产提了什么要求？"):
 * searched within the named document, the setting would only find the passages that repeat the meeting's name.
 */
export function withoutSetting(question: string, cues: readonly RegExp[]): string {
  let rest = question;
  for (const part of settingParts(question, cues)) rest = rest.replace(part, ' ');
  return rest.replace(/[\p{P}\s]/gu, '').length >= MIN_REST ? rest.trim() : question;
}

/**
 * The documents a question names by their setting ("县里那次联席会议", "总队的讲话", "市里那篇讲话"), or null
 * when it names none. A question names a document when it says it means one (the pack's speech cues: 讲话, 那次,
 * 会上 …) and shares with some documents' profiles (title, meeting, place, level) words the others lack, in the words that describe the setting
 * (the clause before the cue).
 * Each shared word counts by how few profiles hold it (log N/df); a level the question names counts for the
 * documents given at that level. The best-scoring documents are named; none when all score alike.
 */
export function namedSpeeches(
  question: string,
  profiles: readonly SpeechProfile[],
  domain: Pick<Domain, 'scopes' | 'speechCues'>,
  segmenter: Segmenter,
): string[] | null {
  const setting = settingOf(question, domain.speechCues);
  if (profiles.length < 2 || !setting) return null;
  const n = profiles.length;
  const termsOf = profiles.map((p) => p.terms);
  const df = (t: string) => termsOf.filter((s) => s.has(t)).length;
  const scores = profiles.map(() => 0);
  for (const t of new Set(segmenter.queryTerms(setting))) {
    const d = df(t);
    if (d === 0 || d === n) continue;
    termsOf.forEach((s, i) => s.has(t) && (scores[i]! += Math.log(n / d)));
  }
  for (const { name } of namedScopes(setting, domain)) {
    const at = profiles.filter((p) => p.level === name).length;
    if (at === 0 || at === n) continue;
    profiles.forEach((p, i) => p.level === name && (scores[i]! += Math.log(n / at)));
  }
  const best = Math.max(...scores);
  if (best <= 0) return null;
  const named = profiles.filter((_, i) => scores[i]! >= best - 1e-9).map((p) => p.id);
  return named.length < n ? named : null;
}

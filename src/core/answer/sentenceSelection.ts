import { splitSentences } from '../chunk/sentences.js';
import { isNumberedHeading, MAX_HEADING } from '../chunk/headings.js';
import type { Embedder, Segmenter } from '../ports.js';
import type { AnswerType, DetailType } from '../domain/pack.js';
import type { Document, Passage, Span } from '../types.js';

export interface ScoredSentence extends Span {
  text: string;
  title: string;
  /** Rank of the passage it came from (0 = best). */
  passageRank: number;
  similarity: number;
  coverage: number;
  score: number;
}

export interface SelectionOptions {
  /** At most this many sentences in an answer. */
  maxSentences: number;
  /** A supporting sentence must score at least this share of the best one. */
  relativeFloor: number;
}

/** Sentences shorter than this (in characters, punctuation excluded) are not quoted: headings, enumerators, stubs. */
const MIN_SENTENCE = 6;

/**
 * A candidate sentence's score: its similarity to the question, plus this much of the
 * question's IDF it contains, minus this much per rank of the passage it came from. Tuned on
 * the development set (test/eval/questions.json, key facts in answers; npm run eval).
 */
export const SENTENCE_SCORE = { coverage: 0.25, passageRankPenalty: 0.02, statesDetail: 0.05 };

/** A supporting sentence sharing more than this share of its character bigrams with one already quoted is a near-duplicate (development set). */
export const NEAR_DUPLICATE_OVERLAP = 0.6;

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

function bigrams(text: string): Set<string> {
  const clean = text.replace(/[\s\p{P}]/gu, '');
  const out = new Set<string>();
  for (let i = 0; i + 1 < clean.length; i++) out.add(clean.slice(i, i + 2));
  return out;
}

/** Share of the question's character bigrams found in a sentence: a similarity for runtimes with no embedder. */
export function bigramRecall(question: string, sentence: string): number {
  const Q = bigrams(question);
  if (!Q.size) return 0;
  const S = bigrams(sentence);
  let found = 0;
  for (const x of Q) if (S.has(x)) found++;
  return found / Q.size;
}

/** Share of the smaller sentence's character bigrams found in the other: near-duplicates score high. */
export function overlap(a: string, b: string): number {
  const A = bigrams(a);
  const B = bigrams(b);
  if (!A.size || !B.size) return 0;
  let common = 0;
  for (const x of A) if (B.has(x)) common++;
  return common / Math.min(A.size, B.size);
}

const squashed = (s: string) => s.replace(/[\s\p{P}\p{S}]/gu, '');
/**
 * A line with no sentence end, no longer than a heading, that shares at least this share of its character bigrams
 * with the title is the title as the text spells it ("全县工作会议上的领导讲话" under the title 在全县工作会议上的讲话).
 */
const TITLE_LINE_OVERLAP = 0.6;

/**
 * Sentences that are never an answer: the document's title (or a line that is little more than it), a numbered
 * heading (with no sentence end, or a line of its own even with one: "四、落实责任，努力形成工作合力。"), and what
 * the domain pack calls an opener ("今天，我们召开…会议"): they repeat a question's words without saying anything
 * about it.
 */
export function isNonAnswer(text: string, title: string, openers: readonly RegExp[] = [], ownLine = false): boolean {
  const t = squashed(text);
  const head = squashed(title);
  if (t.length >= MIN_SENTENCE && head && (head.includes(t) || (t.includes(head) && t.length <= head.length + 8))) return true;
  const ended = /[。！？!?]/u.test(text);
  if (isNumberedHeading(text) && (!ended || ownLine)) return true;
  if (!ended && t.length <= MAX_HEADING && overlap(t, head) >= TITLE_LINE_OVERLAP) return true;
  return openers.some((re) => re.test(text));
}

/** Whether a span of a text is a line of its own (only spaces between it and the line breaks around it). */
export function isOwnLine(text: string, start: number, end: number): boolean {
  return /(?:^|\n)[^\S\n]*$/u.test(text.slice(Math.max(0, start - 8), start)) && /^[^\S\n]*(?:\n|$)/u.test(text.slice(end, end + 8));
}

/**
 * Scores every sentence of the retrieved passages against the question
 * (meaning + the question's terms + the passage's rank) and picks a few:
 * the best first, then supporting ones that are not near-duplicates.
 * Without an embedder, meaning is approximated by the share of the
 * question's character bigrams the sentence contains.
 */
export async function selectSentences(
  question: string,
  passages: Passage[],
  documents: Map<string, Document>,
  deps: {
    embedder: Embedder | null;
    segmenter: Segmenter;
    idf: (term: string) => number;
    storedVector?: (span: Span) => Float32Array | undefined;
    /** The domain pack's openers: sentences never quoted as answers (with titles and headings). */
    nonAnswers?: readonly RegExp[];
    /** What the question asks for (the givenBy of its detail types): a sentence that states it scores DETAIL_BONUS more. */
    prefer?: readonly RegExp[];
  },
  options: SelectionOptions,
): Promise<ScoredSentence[]> {
  const candidates: Omit<ScoredSentence, 'similarity' | 'coverage' | 'score'>[] = [];
  passages.forEach((p, passageRank) => {
    const doc = documents.get(p.docId);
    if (!doc) return;
    for (const s of splitSentences(p.docId, doc.text, p.start, p.end)) {
      const text = doc.text.slice(s.start, s.end);
      if (text.replace(/[\s\p{P}]/gu, '').length < MIN_SENTENCE || isNonAnswer(text, doc.title, deps.nonAnswers, isOwnLine(doc.text, s.start, s.end))) continue;
      candidates.push({ ...s, text, title: doc.title, passageRank });
    }
  });
  if (!candidates.length) return [];

  const similarities = deps.embedder
    ? await denseSimilarities(question, candidates, deps.embedder, deps.storedVector)
    : candidates.map((c) => bigramRecall(question, c.text));
  const qTerms = [...new Set(deps.segmenter.queryTerms(question))];
  const qIdf = qTerms.reduce((a, t) => a + deps.idf(t), 0) || 1;
  // Without the global flag: test() on a global pattern carries state from one sentence to the next.
  const prefer = (deps.prefer ?? []).map((re) => new RegExp(re.source, 'u'));

  const scored: ScoredSentence[] = candidates.map((c, i) => {
    const terms = new Set(deps.segmenter.terms(c.text));
    const coverage = qTerms.reduce((a, t) => a + (terms.has(t) ? deps.idf(t) : 0), 0) / qIdf;
    const similarity = similarities[i]!;
    const states = prefer.some((re) => re.test(c.text)) ? SENTENCE_SCORE.statesDetail : 0;
    return { ...c, similarity, coverage, score: similarity + SENTENCE_SCORE.coverage * coverage + states - SENTENCE_SCORE.passageRankPenalty * c.passageRank };
  });
  scored.sort((a, b) => b.score - a.score);

  const best = scored[0]!;
  const picked: ScoredSentence[] = [best];
  for (const s of scored.slice(1)) {
    if (picked.length >= options.maxSentences) break;
    if (s.score < options.relativeFloor * best.score) break;
    if (picked.some((p) => overlap(p.text, s.text) > NEAR_DUPLICATE_OVERLAP || (p.docId === s.docId && p.start < s.end && s.start < p.end))) continue;
    picked.push(s);
  }
  return picked;
}

/** Cosine similarity of the question and each sentence; sentences the index already embedded are not embedded again. */
async function denseSimilarities(
  question: string,
  sentences: (Span & { text: string })[],
  embedder: Embedder,
  storedVector?: (span: Span) => Float32Array | undefined,
): Promise<number[]> {
  const [q] = await embedder.embed([question], 'query');
  const vectors: (Float32Array | undefined)[] = sentences.map((s) => storedVector?.(s));
  const missing = sentences.map((s, i) => ({ s, i })).filter(({ i }) => !vectors[i]);
  if (missing.length) {
    const fresh = await embedder.embed(
      missing.map(({ s }) => s.text),
      'passage',
    );
    missing.forEach(({ i }, j) => (vectors[i] = fresh[j]));
  }
  return vectors.map((v) => dot(q!, v!));
}

/** A lead sentence at most this long is itself the direct answer line; a longer one is cut to its answering clause. */
export const DIRECT_LINE_MAX = 40;
/** Clauses shorter than this (characters, punctuation excluded) join the next one. */
const MIN_CLAUSE = 6;
const CLAUSE_END = /[，,；;：:]/u;
const OPEN = /[“‘（(《「【]/u;
const CLOSE = /[”’）)》」】]/u;

/**
 * The direct line runs on from the answering clause over the clauses after it while it stays within this many
 * characters: the clause that holds the question's words usually names the subject (对涉及的土地纠纷、合同纠纷…) and
 * the next says what is said of it (要引导群众通过仲裁…). Tuned on the development sets (test/eval/questions.json
 * and trust-dev.json, a key point in the first line: 50 % → 73 % and 48 % → 71 % against the clause alone; 60
 * scored a little higher but is no longer a short line).
 */
export const DIRECT_LINE_RUN_ON = 50;

/**
 * The clause right after the answering one joins it while the two stay within this many characters, even past
 * DIRECT_LINE_RUN_ON: a long clause that names the subject (今后…凡出台…重大建设项目) is followed by the one that says
 * what is required of it (要确定责任领导和责任人员). Tuned on the development sets (a key point in the first line:
 * test/eval/questions.json 73 % → 75 %, trust-dev.json 73 % → 75 %; 90 and 120 gave the same on trust-dev).
 */
export const DIRECT_LINE_SAYS = 70;

/** Words that open a clause going on from the one before it: the direct line never starts with one. */
const CONTINUES = /^(?:而且|并且|但是?|也|又|还要|同时|因此|所以|从而|不单|不仅|不但|乃至|甚至|进而|否则|即)/u;

/**
 * The direct line of the lead sentence: of its comma-separated clauses, the one that holds most of the question's
 * weight (IDF of its terms, then its character bigrams) and states what the question asks for (the answer types' and
 * details' patterns: a frequency for 多久, a figure for 多少件, a date for 什么时候报结), run on over the clauses after
 * it up to DIRECT_LINE_RUN_ON characters (the first of them up to DIRECT_LINE_SAYS) unless it already states what is asked, without the trailing punctuation,
 * as an exact span. Null when the sentence is short enough to be the answer line itself, when the line would be the
 * whole sentence, or when no clause holds any of the question's terms.
 */
export function answeringClause(
  question: string,
  lead: ScoredSentence,
  deps: { segmenter: Segmenter; idf: (term: string) => number; answerTypes?: readonly AnswerType[]; details?: readonly DetailType[] },
): ScoredSentence | null {
  if (squashed(lead.text).length <= DIRECT_LINE_MAX) return null;
  // A clause that states what the question asks for (a frequency for 多久, days for 多少天, a figure for 多少件 …)
  // answers it. Without the global flag: test() on a global pattern carries state from one clause to the next.
  const asked = [
    ...(deps.answerTypes ?? []).filter((t) => t.asks.test(question)).map((t) => t.answeredBy),
    ...(deps.details ?? []).filter((t) => t.asks.test(question)).map((t) => new RegExp(t.givenBy.source, 'u')),
  ];
  const clauses: { start: number; end: number }[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < lead.text.length; i++) {
    const ch = lead.text[i]!;
    if (OPEN.test(ch)) depth++;
    else if (CLOSE.test(ch)) depth = Math.max(0, depth - 1);
    const last = i === lead.text.length - 1;
    // Clauses end at a comma, semicolon or colon outside quotes and brackets.
    if (!last && (depth > 0 || !CLAUSE_END.test(ch))) continue;
    const end = last ? lead.text.length : i + 1;
    if (squashed(lead.text.slice(start, end)).length >= MIN_CLAUSE || last) {
      clauses.push({ start, end });
      start = end;
    }
  }
  const qTerms = [...new Set(deps.segmenter.queryTerms(question))];
  const qIdf = qTerms.reduce((a, t) => a + deps.idf(t), 0) || 1;
  let best: { start: number; end: number; score: number } | null = null;
  for (const c of clauses) {
    const text = lead.text.slice(c.start, c.end);
    const terms = new Set(deps.segmenter.terms(text));
    const coverage = qTerms.reduce((a, t) => a + (terms.has(t) ? deps.idf(t) : 0), 0) / qIdf;
    const states = asked.some((re) => re.test(text)) ? 1 : 0;
    const score = coverage + states + 0.1 * bigramRecall(question, text);
    if (coverage > 0 && (!best || score > best.score)) best = { ...c, score };
  }
  if (!best) return null;
  const window = { start: best.start, end: best.end };
  // A clause that states what is asked is the answer itself; any other runs on over what follows it.
  if (!asked.some((re) => re.test(lead.text.slice(best.start, best.end))))
    for (const c of clauses) {
      if (c.start < window.end) continue;
      const first = window.end === best.end;
      if (squashed(lead.text.slice(window.start, c.end)).length > (first ? DIRECT_LINE_SAYS : DIRECT_LINE_RUN_ON)) break;
      window.end = c.end;
    }
  // A clause that goes on from the one before it (而且…, 不单是…, 也…) does not stand alone: it brings that one.
  for (let i = clauses.findIndex((c) => c.start === window.start); i > 0 && CONTINUES.test(lead.text.slice(clauses[i]!.start).trimStart()); i--)
    window.start = clauses[i - 1]!.start;
  if (window.start === 0 && window.end === lead.text.length) return null;
  // The clause without its leading spaces and trailing punctuation: the marker and a full stop follow it.
  let from = window.start;
  let to = window.end;
  while (from < to && /\s/u.test(lead.text[from]!)) from++;
  while (to > from && /[\s，,；;：:、。！？!?]/u.test(lead.text[to - 1]!)) to--;
  if (squashed(lead.text.slice(from, to)).length < MIN_CLAUSE) return null;
  return { ...lead, start: lead.start + from, end: lead.start + to, text: lead.text.slice(from, to) };
}

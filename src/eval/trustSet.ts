import { z } from 'zod';
import type { AnswerResult } from '../core/answer/types.js';
import type { Document, RetrievalResult, Span } from '../core/types.js';
import { overlaps } from './evalSet.js';

/**
 * The answerability set (test/eval/trust.json): questions written blind — by an author who had seen
 * neither the code nor the other sets — across everyday paraphrase, details, multi-part questions,
 * questions naming a speech, English, variants (traditional characters, typos), near-domain details
 * the speeches do not give, task requests, off-topic and adversarial questions, each labelled
 * yes / partial / no with the reason. Held out: never tuned on.
 */
export const TRUST_CATEGORIES = [
  'paraphrase',
  'detail',
  'multipart',
  'which_speech',
  'english',
  'variant',
  'near_domain',
  'task',
  'off_topic',
  'adversarial',
] as const;
export const ANSWERABLE = ['yes', 'partial', 'no'] as const;
export const REASONS = ['off_topic', 'not_in_corpus', 'detail_not_given', 'constraint_mismatch', 'task_not_supported'] as const;

export const TrustQuestionSchema = z.object({
  id: z.string(),
  category: z.enum(TRUST_CATEGORIES),
  question: z.string().min(1),
  answerable: z.enum(ANSWERABLE),
  reason: z.enum(REASONS).nullable(),
  doc: z.string().nullable(),
  evidence: z.string().nullable(),
  keyPoint: z.string().nullable(),
  note: z.string().nullish(),
});
export type TrustQuestion = z.infer<typeof TrustQuestionSchema>;

export interface LocatedTrustQuestion extends TrustQuestion {
  /** Where the evidence stands in the canonical text, when the question has one. */
  span: Span | null;
}

/** Validates the set and locates every evidence quote in the canonical documents. */
export function locateTrustSet(raw: unknown, documents: readonly Document[]): LocatedTrustQuestion[] {
  const byId = new Map(documents.map((d) => [d.id, d]));
  return z
    .array(TrustQuestionSchema)
    .parse(raw)
    .map((q) => {
      if (!q.doc || !q.evidence) return { ...q, span: null };
      const doc = byId.get(q.doc);
      if (!doc) throw new Error(`${q.id}: unknown document ${q.doc}`);
      const start = doc.text.indexOf(q.evidence);
      if (start < 0) throw new Error(`${q.id}: evidence not found in the canonical text of ${doc.id}: ${q.evidence}`);
      return { ...q, span: { docId: doc.id, start, end: start + q.evidence.length } };
    });
}

/** What an answer says about answerability: its `answerable` field, or for answers without one, grounded → yes. */
export const answerabilityOf = (a: AnswerResult & { answerable?: string }): string => a.answerable ?? (a.grounded ? 'yes' : 'no');

/** Citation markers, punctuation, symbols and spaces removed (key points are compared on the words). */
const squash = (s: string) => s.replace(/\[\d+\]/gu, '').replace(/[\s\p{P}\p{S}]/gu, '');
/** The first line of an answer that has any text. */
export const firstLine = (answer: string) => answer.split('\n').find((l) => squash(l).length > 0) ?? '';

export interface TrustRow {
  questions: number;
  /** Questions whose evidence is labelled (yes or partial with a passage): the denominators of recall. */
  withEvidence: number;
  recallAt1: number;
  recallAt5: number;
  /** Share of questions whose answer says the labelled yes / partial / no. */
  answerability: number;
  /** Questions labelled yes or partial that the answer refused outright (no). */
  answerableRefused: number;
  /** Among questions labelled yes with a key point: share whose answer's first line contains it. */
  keyPointFirst: number;
  keyPointTotal: number;
}

/** Per category (and `all`): retrieval recall, answerability against the labels, refusals of answerable questions, key point first. */
export function trustMetrics(
  questions: readonly LocatedTrustQuestion[],
  retrievals: readonly RetrievalResult[],
  answers: readonly AnswerResult[],
): Record<string, TrustRow> {
  const rows: Record<string, TrustRow & { r1: number; r5: number; right: number; kp: number }> = {};
  const row = (key: string) =>
    (rows[key] ??= {
      questions: 0,
      withEvidence: 0,
      recallAt1: 0,
      recallAt5: 0,
      answerability: 0,
      answerableRefused: 0,
      keyPointFirst: 0,
      keyPointTotal: 0,
      r1: 0,
      r5: 0,
      right: 0,
      kp: 0,
    });
  questions.forEach((q, i) => {
    const passages = retrievals[i]!.passages;
    const answer = answers[i]!;
    const said = answerabilityOf(answer);
    for (const r of [row(q.category), row('all')]) {
      r.questions++;
      if (said === q.answerable) r.right++;
      if (q.answerable !== 'no' && said === 'no') r.answerableRefused++;
      if (q.span && q.answerable !== 'no') {
        r.withEvidence++;
        const rank = passages.findIndex((p) => overlaps(q.span!, p)) + 1;
        if (rank === 1) r.r1++;
        if (rank >= 1 && rank <= 5) r.r5++;
      }
      if (q.answerable === 'yes' && q.keyPoint) {
        r.keyPointTotal++;
        if (squash(firstLine(answer.answer)).includes(squash(q.keyPoint))) r.kp++;
      }
    }
  });
  const out: Record<string, TrustRow> = {};
  for (const [key, r] of Object.entries(rows)) {
    out[key] = {
      questions: r.questions,
      withEvidence: r.withEvidence,
      recallAt1: r.withEvidence ? r.r1 / r.withEvidence : NaN,
      recallAt5: r.withEvidence ? r.r5 / r.withEvidence : NaN,
      answerability: r.right / r.questions,
      answerableRefused: r.answerableRefused,
      keyPointFirst: r.keyPointTotal ? r.kp / r.keyPointTotal : NaN,
      keyPointTotal: r.keyPointTotal,
    };
  }
  return out;
}

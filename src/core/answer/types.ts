/** The answer contract shared by both answer modes, the API and the CLI. */
import type { RetrievalFilter } from '../types.js';

export interface Citation {
  /** The marker number used in the answer: `[n]`. */
  n: number;
  docId: string;
  title: string;
  start: number;
  end: number;
  /** Exactly `document.text.slice(start, end)`. */
  text: string;
  score: number;
  /** A copy-ready reference to the speech: 据《在全市安全生产工作会议上的讲话》（市级会议）. */
  cite: string;
}

export type AnswerMode = 'extractive' | 'generative';

export const ANSWERABILITY = ['yes', 'partial', 'no'] as const;
export type Answerability = (typeof ANSWERABILITY)[number];
/**
 * - `off_topic`: the question is not about the documents' subject at all;
 * - `not_in_corpus`: it is, but the documents do not answer it;
 * - `detail_not_given`: they mention the subject but not the detail asked for;
 * - `constraint_mismatch`: a year, level, place or speech named in the question does not match the evidence;
 * - `task_not_supported`: a request to write, translate, role-play or get round the process, not a question.
 */
export const ANSWERABILITY_REASONS = ['off_topic', 'not_in_corpus', 'detail_not_given', 'constraint_mismatch', 'task_not_supported'] as const;
export type AnswerabilityReason = (typeof ANSWERABILITY_REASONS)[number];

export interface AnswerResult {
  /** Markdown with inline markers [1], [2] … each backed by exactly one citation. */
  answer: string;
  mode: AnswerMode;
  /** false when the corpus does not answer the question: exactly when `answerable` is "no". */
  grounded: boolean;
  /** Whether the documents answer the question: fully, in part (what they do say, and what they do not), or not. */
  answerable: Answerability;
  /** Why not fully (absent when `answerable` is "yes"). */
  reason?: AnswerabilityReason;
  citations: Citation[];
  /** Generated sentences no passage supports (generative mode). */
  unsupported?: string[];
  /** Why the generative mode fell back to the extractive answer. */
  fallback?: string;
  /** The question retrieval actually used (rewritten from a follow-up). */
  standaloneQuestion: string;
  /** Where the time went: retrieval (with any follow-up rewrite) and writing the answer. */
  timings?: AnswerTimings;
}

export interface AnswerTimings {
  retrievalMs: number;
  generationMs: number;
}

/** Adds timings measured from `started` (before retrieval) and `retrieved` (after it). */
export const timed = (result: AnswerResult, started: number, retrieved: number): AnswerResult => ({
  ...result,
  timings: { retrievalMs: round(retrieved - started), generationMs: round(performance.now() - retrieved) },
});

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * The conversation a request may carry, on every route (/api/ask, /api/chat, /v1/chat/completions):
 * at most this many earlier turns, each at most this long. Longer turns are refused by /api/* and cut
 * by /v1 (OpenAI clients send whole transcripts). The follow-up rewrite reads only the last few
 * (REWRITE_WINDOW in prompt.ts).
 */
export const HISTORY_LIMITS = { turns: 40, charsPerTurn: 8000 };

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export type AnswerEvent = { type: 'citations'; citations: Citation[] } | { type: 'delta'; text: string } | { type: 'done'; result: AnswerResult };

export interface AnswerOptions {
  history?: ChatTurn[];
  topK?: number;
  /** Search only these documents. */
  filter?: RetrievalFilter;
  signal?: AbortSignal;
}

export interface Answerer {
  answer(question: string, options?: AnswerOptions): Promise<AnswerResult>;
  /** Events in order: citations (before any text), delta…, done. */
  stream(question: string, options?: AnswerOptions): AsyncIterable<AnswerEvent>;
}

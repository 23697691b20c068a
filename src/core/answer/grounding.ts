import type { Domain } from '../domain/pack.js';
import type { CorpusIndex } from '../retrieve/corpusIndex.js';
import { chunkVectorId } from '../retrieve/corpusIndex.js';
import type { Retriever } from '../retrieve/retriever.js';
import type { Passage, RetrievalResult } from '../types.js';
import { composeRefusal } from './compose.js';
import { rewriteFollowUp } from './followUp.js';
import { answerLanguage } from './language.js';
import type { AnswerabilityReason, AnswerMode, AnswerOptions, AnswerResult, Citation } from './types.js';
import { NOT_STATED, sourceInfo, type SourceInfo } from '../ingest/sourceInfo.js';

/** Whether the documents answer a question, decided before any answer is written. */
export type Verdict = { answerable: 'yes' } | { answerable: 'partial' | 'no'; reason: AnswerabilityReason };

/**
 * A question out of scope whose words the corpus barely knows (less than this share of its IDF
 * matched by a top passage) is off the documents' subject altogether, not merely unanswered by them.
 * A rule for the reason only (it never changes whether a question is answered).
 */
export const OFF_TOPIC_COVERAGE = 0.25;

/** Retrieval for one question, with the standalone question it used. */
export type Grounded = RetrievalResult & { standalone: string };

export interface GroundingDeps {
  retriever: Retriever;
  index: CorpusIndex;
  domain: Domain;
}

/**
 * The first step of every answer, whatever writes it: rewrite a follow-up
 * into a standalone question, retrieve, decide whether the corpus answers at
 * all, and say so plainly when it does not.
 */
export class Grounding {
  private readonly sources = new Map<string, SourceInfo>();

  constructor(private readonly deps: GroundingDeps) {}

  /** Where a document was given (meeting, level, place, speaker, date) and its copy-ready reference. */
  source(docId: string): SourceInfo {
    let info = this.sources.get(docId);
    if (!info) {
      const doc = this.deps.index.documents.get(docId);
      info = doc
        ? sourceInfo(doc, this.deps.domain)
        : { meeting: NOT_STATED, level: NOT_STATED, place: NOT_STATED, speaker: NOT_STATED, date: NOT_STATED, cite: docId };
      this.sources.set(docId, info);
    }
    return info;
  }

  /** Citations with their copy-ready references. */
  cited<T extends Omit<Citation, 'cite'>>(citations: T[]): (T & { cite: string })[] {
    return citations.map((c) => ({ ...c, cite: this.source(c.docId).cite }));
  }

  /** Retrieval for a (possibly follow-up) question. A chat model may pass its own standalone rewrite. */
  async retrieve(
    question: string,
    options: AnswerOptions = {},
    standalone = rewriteFollowUp(question, options.history, this.deps.domain.levels),
  ): Promise<Grounded> {
    const result = await this.deps.retriever.retrieve(standalone, options.topK ?? DEFAULT_TOP_K, options.filter);
    return { ...result, standalone };
  }

  /** A request to write, translate, role-play or get round the process (the domain pack's task patterns): not a question. */
  isTask(question: string): boolean {
    return this.deps.domain.tasks.patterns.some((re) => re.test(question));
  }

  /** Whether the documents answer the question: tasks are declined, then retrieval decides. */
  verdict(question: string, retrieval: Grounded): Verdict {
    if (this.isTask(question)) return { answerable: 'no', reason: 'task_not_supported' };
    const { relevance } = retrieval;
    if (relevance.inScope && retrieval.passages.length > 0) return { answerable: 'yes' };
    const offTopic = !relevance.missing && relevance.lexicalCoverage < OFF_TOPIC_COVERAGE;
    return { answerable: 'no', reason: offTopic ? 'off_topic' : 'not_in_corpus' };
  }

  /** "The documents don't say" (with what they do cover), or for a task, what Yiju does instead. */
  refusal(question: string, retrieval: Grounded, mode: AnswerMode, reason: AnswerabilityReason = 'not_in_corpus'): AnswerResult {
    const lang = answerLanguage(question);
    const answer =
      reason === 'task_not_supported'
        ? this.deps.domain.tasks.reply[lang]
        : composeRefusal([...this.deps.index.documents.values()], lang, this.deps.domain, retrieval.relevance.missing);
    return { mode, standaloneQuestion: retrieval.standalone, answer, grounded: false, answerable: 'no', reason, citations: [] };
  }

  /** The vector the index stored for a passage that is exactly one chunk (merged passages have none). */
  storedPassageVector(passage: Passage): Float32Array | undefined {
    const chunk = this.deps.index.chunks.get(passage.chunkId);
    return chunk && chunk.start === passage.start && chunk.end === passage.end ? this.deps.index.vectors.get?.(chunkVectorId(chunk.id)) : undefined;
  }
}

/** Passages per answer when neither the request nor the configuration says (YIJU_TOP_K's default). */
export const DEFAULT_TOP_K = 5;

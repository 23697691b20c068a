import type { Domain } from '../domain/pack.js';
import type { CorpusIndex } from '../retrieve/corpusIndex.js';
import { chunkVectorId } from '../retrieve/corpusIndex.js';
import type { Retriever } from '../retrieve/retriever.js';
import type { Passage, RetrievalResult } from '../types.js';
import { composeRefusal } from './compose.js';
import { rewriteFollowUp } from './followUp.js';
import { answerLanguage } from './language.js';
import type { AnswerMode, AnswerOptions, AnswerResult } from './types.js';

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
  constructor(private readonly deps: GroundingDeps) {}

  /** Retrieval for a (possibly follow-up) question. A chat model may pass its own standalone rewrite. */
  async retrieve(
    question: string,
    options: AnswerOptions = {},
    standalone = rewriteFollowUp(question, options.history, this.deps.domain.levels),
  ): Promise<Grounded> {
    const result = await this.deps.retriever.retrieve(standalone, options.topK ?? DEFAULT_TOP_K);
    return { ...result, standalone };
  }

  /** Whether the retrieved passages can answer the question at all. */
  answers(retrieval: Grounded): boolean {
    return retrieval.relevance.inScope && retrieval.passages.length > 0;
  }

  /** "The documents don't say", with what they do cover. */
  refusal(question: string, retrieval: Grounded, mode: AnswerMode): AnswerResult {
    const answer = composeRefusal([...this.deps.index.documents.values()], answerLanguage(question), this.deps.domain, retrieval.relevance.missing);
    return { mode, standaloneQuestion: retrieval.standalone, answer, grounded: false, citations: [] };
  }

  /** The vector the index stored for a passage that is exactly one chunk (merged passages have none). */
  storedPassageVector(passage: Passage): Float32Array | undefined {
    const chunk = this.deps.index.chunks.get(passage.chunkId);
    return chunk && chunk.start === passage.start && chunk.end === passage.end ? this.deps.index.vectors.get?.(chunkVectorId(chunk.id)) : undefined;
  }
}

/** Passages per answer when neither the request nor the configuration says (YIJU_TOP_K's default). */
export const DEFAULT_TOP_K = 5;

import type { Embedder, Segmenter } from '../ports.js';
import type { CorpusIndex } from '../retrieve/corpusIndex.js';
import type { Retriever } from '../retrieve/retriever.js';
import type { Passage, RetrievalResult } from '../types.js';
import { chunkVectorId } from '../retrieve/corpusIndex.js';
import { memoSegmenter } from '../lexical/memoSegmenter.js';
import { expandToChinese } from '../retrieve/glossary.js';
import { composeExtractive, composeRefusal } from './compose.js';
import { rewriteFollowUp } from './followUp.js';
import { answerLanguage } from './language.js';
import { selectSentences } from './sentenceSelection.js';
import { timed, type AnswerEvent, type AnswerOptions, type Answerer, type AnswerResult } from './types.js';

export interface ExtractiveDeps {
  retriever: Retriever;
  index: CorpusIndex;
  /** null: no model in this runtime; sentences are chosen by their words (Workers bundled mode). */
  embedder: Embedder | null;
  segmenter: Segmenter;
}

/** Splits Markdown into streaming pieces at line and sentence ends. */
export function toDeltas(markdown: string): string[] {
  return markdown.match(/[^\n。！？；]*(?:[\n。！？；]|\[\d+\])+|[^\n。！？；]+$/gu) ?? [markdown];
}

/**
 * The embedded default: answers by quoting the most relevant sentences of the
 * retrieved passages, each cited to its exact span. No network, no key.
 */
export class ExtractiveAnswerer implements Answerer {
  /** The segmenter for candidate sentences, which recur across answers. */
  private readonly sentenceSegmenter: Segmenter;

  constructor(private readonly deps: ExtractiveDeps) {
    this.sentenceSegmenter = memoSegmenter(deps.segmenter);
  }

  /** The vector the index stored for a passage that is exactly one chunk (merged passages have none). */
  storedPassageVector(passage: Passage): Float32Array | undefined {
    const chunk = this.deps.index.chunks.get(passage.chunkId);
    return chunk && chunk.start === passage.start && chunk.end === passage.end ? this.deps.index.vectors.get?.(chunkVectorId(chunk.id)) : undefined;
  }

  /** Retrieval for a (possibly follow-up) question: the shared first step of both modes. */
  async retrieve(question: string, options: AnswerOptions = {}, standalone = rewriteFollowUp(question, options.history)): Promise<RetrievalResult & { standalone: string }> {
    const result = await this.deps.retriever.retrieve(standalone, options.topK ?? 5);
    return { ...result, standalone };
  }

  async answer(question: string, options: AnswerOptions = {}): Promise<AnswerResult> {
    const started = performance.now();
    const retrieval = await this.retrieve(question, options);
    const retrieved = performance.now();
    return timed(await this.fromRetrieval(question, retrieval), started, retrieved);
  }

  /** "The speeches don't say", with what they do cover. */
  async refusal(question: string, retrieval: RetrievalResult & { standalone: string }): Promise<AnswerResult> {
    const answer = composeRefusal([...this.deps.index.documents.values()], answerLanguage(question), retrieval.relevance.missing);
    return { mode: 'extractive', standaloneQuestion: retrieval.standalone, answer, grounded: false, citations: [] };
  }

  async fromRetrieval(question: string, retrieval: RetrievalResult & { standalone: string }): Promise<AnswerResult> {
    const lang = answerLanguage(question);
    const base = { mode: 'extractive' as const, standaloneQuestion: retrieval.standalone };
    if (!retrieval.relevance.inScope || !retrieval.passages.length) return this.refusal(question, retrieval);
    const multiPart = (retrieval.standalone.match(/[？?]/gu) ?? []).length > 1 || /分别|以及|和.+各|and/iu.test(retrieval.standalone);
    // English questions are matched against the Chinese sentences through their domain terms too.
    const selectionQuery = lang === 'en' ? `${expandToChinese(retrieval.standalone)} ${retrieval.standalone}` : retrieval.standalone;
    const sentences = await selectSentences(
      selectionQuery,
      retrieval.passages,
      this.deps.index.documents,
      {
        embedder: this.deps.embedder,
        segmenter: this.sentenceSegmenter,
        idf: (t) => this.deps.index.bm25.termWeight(t),
        storedVector: (span) => this.deps.index.sentenceVector(span),
      },
      { maxSentences: multiPart ? 5 : 4, relativeFloor: 0.85 },
    );
    const { answer, citations } = composeExtractive(sentences, lang);
    return { ...base, answer, grounded: citations.length > 0, citations };
  }

  async *stream(question: string, options: AnswerOptions = {}): AsyncIterable<AnswerEvent> {
    const result = await this.answer(question, options);
    yield { type: 'citations', citations: result.citations };
    for (const text of toDeltas(result.answer)) {
      if (options.signal?.aborted) return;
      yield { type: 'delta', text };
    }
    yield { type: 'done', result };
  }
}

import { createAssistant, type Assistant } from '../assistant.js';
import { NEUTRAL_DOMAIN, type Domain } from '../domain/pack.js';
import type { Bm25Index } from '../lexical/bm25.js';
import { VocabularySegmenter } from '../lexical/vocabularySegmenter.js';
import type { Segmenter, VectorStore } from '../ports.js';
import type { Chunk, Document } from '../types.js';
import { CorpusIndex } from './corpusIndex.js';
import type { RetrieverOptions } from './retriever.js';

/** A vector store that holds nothing: the index of a runtime with no embedder. */
export const NO_VECTORS: VectorStore = {
  size: 0,
  upsert() {
    throw new Error('this index has no vector store (lexical-only mode)');
  },
  delete() {},
  search: () => [],
};

export interface LexicalOnlyPipeline extends Assistant {
  index: CorpusIndex;
  segmenter: Segmenter;
}

/**
 * Retrieval and extractive answers with no model at all: a prebuilt BM25
 * index, queries segmented against its own vocabulary (no jieba), sentences
 * chosen by their words. What a Worker runs in bundled mode.
 */
export function lexicalOnlyPipeline(
  documents: Document[],
  chunks: Chunk[],
  bm25: Bm25Index,
  options: RetrieverOptions = {},
  domain: Domain = NEUTRAL_DOMAIN,
): LexicalOnlyPipeline {
  const index = new CorpusIndex(documents, chunks, bm25, NO_VECTORS);
  const segmenter = new VocabularySegmenter(bm25.vocabulary());
  return { ...createAssistant({ index, embedder: null, segmenter, chat: null, domain, retriever: options }), index, segmenter };
}

import { ExtractiveAnswerer } from './answer/extractive.js';
import { GenerativeAnswerer } from './answer/generative.js';
import { Grounding } from './answer/grounding.js';
import type { Answerer, AnswerMode } from './answer/types.js';
import type { Domain } from './domain/pack.js';
import type { ChatModel, Embedder, Segmenter } from './ports.js';
import type { CorpusIndex } from './retrieve/corpusIndex.js';
import { Retriever, type RetrieverOptions } from './retrieve/retriever.js';

/** What the assistant is made of; each runtime (Node, Workers) supplies its own adapters. */
export interface AssistantParts {
  index: CorpusIndex;
  /** null: a runtime with no embedding model (lexical retrieval, sentences chosen by their words). */
  embedder: Embedder | null;
  segmenter: Segmenter;
  /** null: the offline extractive mode. */
  chat: ChatModel | null;
  domain: Domain;
  retriever?: RetrieverOptions;
}

/** How the assistant answers, for /api/health, /v1/models and start-up lines. */
export interface AssistantInfo {
  answerMode: AnswerMode;
  /** The chat model behind generative answers. */
  chatModel?: string;
  /** hybrid: BM25 fused with embeddings; lexical: BM25 alone. */
  retrieval: 'hybrid' | 'lexical';
  embedder: string;
}

export interface Assistant {
  readonly retriever: Retriever;
  /** Retrieval, the follow-up rewrite and the refusal decision: the first step of every answer. */
  readonly grounding: Grounding;
  /** The quoting answerer: the answer in offline mode, the fallback in generative mode. */
  readonly extractive: ExtractiveAnswerer;
  /** What answers questions: generative when a chat model is given, else the extractive answerer. */
  readonly answerer: Answerer;
  readonly info: AssistantInfo;
  readonly domain: Domain;
  /** A retriever over the same index with other options (evaluation, benchmarks). */
  withRetriever(options: RetrieverOptions): Retriever;
}

/**
 * The one composition root of the RAG core: (index, embedder or none,
 * segmenter, chat model or none, domain pack) → the assistant. The Node
 * server, the CLI, the Worker and the lexical-only mode all build it here.
 */
export function createAssistant(parts: AssistantParts): Assistant {
  const { index, embedder, segmenter, chat, domain } = parts;
  const withRetriever = (options: RetrieverOptions) => new Retriever(index, embedder, segmenter, { domain, lexicon: parts.retriever?.lexicon, ...options });
  const retriever = withRetriever(parts.retriever ?? {});
  const grounding = new Grounding({ retriever, index, domain, segmenter });
  const extractive = new ExtractiveAnswerer({ grounding, index, embedder, segmenter, domain });
  const answerer = chat ? new GenerativeAnswerer({ chat, grounding, extractive, embedder, domain }) : extractive;
  const info: AssistantInfo = {
    answerMode: chat ? 'generative' : 'extractive',
    ...(chat ? { chatModel: chat.id } : {}),
    retrieval: embedder ? 'hybrid' : 'lexical',
    embedder: embedder?.id ?? 'none (bundled lexical index)',
  };
  return { retriever, grounding, extractive, answerer, info, domain, withRetriever };
}

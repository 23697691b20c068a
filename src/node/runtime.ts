import type { Config } from '../config/config.js';
import { Chunker } from '../core/chunk/chunker.js';
import type { BuildProgress } from '../core/indexing/buildIndex.js';
import type { ChatModel, Embedder, Segmenter } from '../core/ports.js';
import { ExtractiveAnswerer } from '../core/answer/extractive.js';
import { GenerativeAnswerer } from '../core/answer/generative.js';
import type { Answerer } from '../core/answer/types.js';
import { OpenAIChatModel } from '../adapters/chat/openaiChatModel.js';
import { Retriever, type RetrieverOptions } from '../core/retrieve/retriever.js';
import { JiebaSegmenter } from '../adapters/segmenters/jieba.js';
import { QueryCachingEmbedder } from '../adapters/embedders/queryCache.js';
import { createEmbedder } from './embedderFactory.js';
import { openIndex, type OpenedIndex } from './openIndex.js';

export interface Runtime {
  config: Config;
  embedder: Embedder;
  segmenter: Segmenter;
  opened: OpenedIndex;
  retriever: Retriever;
  /** Generative when a chat model is configured, extractive otherwise. */
  answerer: Answerer;
  extractive: ExtractiveAnswerer;
  /** A retriever over the same index with other options (evaluation, benchmarks). */
  withRetriever(options: RetrieverOptions): Retriever;
}

export interface RuntimeOptions {
  rebuild?: boolean;
  log?: (line: string) => void;
  onProgress?: (p: BuildProgress) => void;
  /** Reuse an embedder (tests load the model once). */
  embedder?: Embedder;
  retriever?: RetrieverOptions;
  /** Use this chat model instead of the configured one (tests). */
  chat?: ChatModel;
}

/** The configured OpenAI-compatible chat model, or null for the offline extractive mode. */
export function createChatModel(config: Config): ChatModel | null {
  const { apiKey, chatModel, baseURL, timeoutMs, maxRetries } = config.openai;
  return apiKey && chatModel ? new OpenAIChatModel({ apiKey, model: chatModel, baseURL, timeoutMs, maxRetries }) : null;
}

/** The Node composition root: config → embedder, segmenter, chunker → index (built if needed) → retriever. */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const base = options.embedder ?? (await createEmbedder(config, options.log));
  const embedder = config.retrieval.queryCache > 0 ? new QueryCachingEmbedder(base, config.retrieval.queryCache) : base;
  const segmenter = new JiebaSegmenter(config.userTerms);
  const chunker = new Chunker({ chunkSize: config.chunkSize });
  const opened = await openIndex(config, { embedder, segmenter, chunker, rebuild: options.rebuild, log: options.log, onProgress: options.onProgress });
  const withRetriever = (o: RetrieverOptions) => new Retriever(opened.index, embedder, segmenter, o);
  const retriever = withRetriever(options.retriever ?? {});
  const extractive = new ExtractiveAnswerer({ retriever, index: opened.index, embedder, segmenter });
  const chat = options.chat ?? createChatModel(config);
  const answerer = chat ? new GenerativeAnswerer({ chat, extractive, embedder }) : extractive;
  return { config, embedder, segmenter, opened, retriever, answerer, extractive, withRetriever };
}

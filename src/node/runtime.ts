import type { Config } from './config.js';
import type { Reporting } from './reporting.js';
import { createAssistant, type Assistant } from '../core/assistant.js';
import { Chunker } from '../core/chunk/chunker.js';
import type { Domain } from '../core/domain/pack.js';
import type { BuildProgress } from '../core/indexing/buildIndex.js';
import type { ChatModel, Embedder, Segmenter } from '../core/ports.js';
import type { RetrieverOptions } from '../core/retrieve/retriever.js';
import { createChatModel } from '../adapters/chat/createChatModel.js';
import { loadDomain } from '../adapters/corpus/fsCorpus.js';
import { JiebaSegmenter } from '../adapters/segmenters/jieba.js';
import { QueryCachingEmbedder } from '../adapters/embedders/queryCache.js';
import { createEmbedder } from './embedderFactory.js';
import { openIndex, type OpenedIndex } from './openIndex.js';
import { loadLexicon } from './lexicon.js';
import type { Lexicon } from '../core/retrieve/bilingual.js';

/** The assistant on Node, with what it was built from. */
export interface Runtime extends Assistant {
  config: Config;
  embedder: Embedder;
  segmenter: Segmenter;
  opened: OpenedIndex;
  /** The corpus' dictionary lexicon, loaded (or built and cached) once, on first use. */
  lexicon: () => Promise<Lexicon>;
}

export interface RuntimeOptions extends Reporting<BuildProgress> {
  rebuild?: boolean;
  /** Reuse an embedder (tests load the model once). */
  embedder?: Embedder;
  retriever?: RetrieverOptions;
  /** Use this chat model instead of the configured one (tests). */
  chat?: ChatModel;
}

/** The configured chat model on Node (OpenAI-compatible), or null for the offline extractive mode. */
export const chatModelFor = (config: Config): ChatModel | null => createChatModel({ chat: config.chat, openai: config.openai });

/** The segmenter of a corpus: jieba with the domain pack's terms and the user's. */
export const segmenterFor = (config: Config, domain: Domain): JiebaSegmenter => new JiebaSegmenter([...domain.terms, ...config.userTerms]);

/** The Node runtime: config → domain pack, embedder, segmenter, chunker → index (built if needed) → the assistant. */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const domain = await loadDomain(config.corpusDir);
  const base = options.embedder ?? (await createEmbedder(config, options.log));
  const embedder = config.retrieval.queryCache > 0 ? new QueryCachingEmbedder(base, config.retrieval.queryCache) : base;
  const segmenter = segmenterFor(config, domain);
  const chunker = new Chunker({ chunkSize: config.chunkSize });
  const opened = await openIndex(config, { embedder, segmenter, chunker, domain, rebuild: options.rebuild, log: options.log, onProgress: options.onProgress });
  const chat = options.chat ?? chatModelFor(config);
  // Loaded once, on the first English question, for every retriever of this runtime.
  let lexiconLoad: ReturnType<typeof loadLexicon> | undefined;
  const lexicon = () => (lexiconLoad ??= loadLexicon(config.dataDir, opened.index.bm25, options.log));
  const assistant = createAssistant({ index: opened.index, embedder, segmenter, chat, domain, retriever: { lexicon, ...options.retriever } });
  return { ...assistant, config, embedder, segmenter, opened, lexicon };
}

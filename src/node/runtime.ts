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
import { openIndex, servedAsIs, storedIndex, type OpenedIndex } from './openIndex.js';
import type { StoredIndex } from '../adapters/storage/indexStore.js';
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

/** What a runtime is made of besides its index: made once, shared by the runtime served now and the one that replaces it. */
interface RuntimeParts {
  domain: Domain;
  embedder: Embedder;
  segmenter: Segmenter;
  chunker: Chunker;
  chat: ChatModel | null;
}

async function runtimeParts(config: Config, options: RuntimeOptions): Promise<RuntimeParts> {
  const domain = await loadDomain(config.corpusDir);
  const base = options.embedder ?? (await createEmbedder(config, options.log));
  const embedder = config.retrieval.queryCache > 0 ? new QueryCachingEmbedder(base, config.retrieval.queryCache) : base;
  return {
    domain,
    embedder,
    segmenter: segmenterFor(config, domain),
    chunker: new Chunker({ chunkSize: config.chunkSize }),
    chat: options.chat ?? chatModelFor(config),
  };
}

/** The assistant over an opened index. */
function runtimeOver(config: Config, options: RuntimeOptions, parts: RuntimeParts, opened: OpenedIndex): Runtime {
  const { domain, embedder, segmenter, chat } = parts;
  // Loaded once, on the first English question, for every retriever of this runtime.
  let lexiconLoad: ReturnType<typeof loadLexicon> | undefined;
  const lexicon = () => (lexiconLoad ??= loadLexicon(config.dataDir, opened.index.bm25, options.log));
  const assistant = createAssistant({ index: opened.index, embedder, segmenter, chat, domain, retriever: { lexicon, ...options.retriever } });
  return { ...assistant, config, embedder, segmenter, opened, lexicon };
}

const openWith = (config: Config, options: RuntimeOptions, parts: RuntimeParts, stored?: StoredIndex) =>
  openIndex(config, { ...parts, rebuild: options.rebuild, log: options.log, onProgress: options.onProgress, ...(stored ? { stored } : {}) });

/** The Node runtime: config → domain pack, embedder, segmenter, chunker → index (built if needed) → the assistant. */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const parts = await runtimeParts(config, options);
  return runtimeOver(config, options, parts, await openWith(config, options, parts));
}

/**
 * A server's start that does not wait for indexing: `now` answers from the stored index as it is (null when there
 * is none to answer from); `update()`, called once the server listens, brings the index up to date with the corpus
 * and resolves with the runtime to serve next.
 */
export async function warmStart(config: Config, options: RuntimeOptions = {}): Promise<{ now: Runtime | null; update: () => Promise<Runtime> }> {
  const parts = await runtimeParts(config, options);
  const stored = options.rebuild ? null : storedIndex(config, parts);
  const now = stored ? runtimeOver(config, options, parts, servedAsIs(stored)) : null;
  return { now, update: async () => runtimeOver(config, options, parts, await openWith(config, options, parts, stored ?? undefined)) };
}

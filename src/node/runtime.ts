import type { Config } from '../config/config.js';
import { Chunker } from '../core/chunk/chunker.js';
import type { BuildProgress } from '../core/indexing/buildIndex.js';
import type { Embedder, Segmenter } from '../core/ports.js';
import { Retriever, type RetrieverOptions } from '../core/retrieve/retriever.js';
import { JiebaSegmenter } from '../adapters/segmenters/jieba.js';
import { createEmbedder } from './embedderFactory.js';
import { openIndex, type OpenedIndex } from './openIndex.js';

export interface Runtime {
  config: Config;
  embedder: Embedder;
  segmenter: Segmenter;
  opened: OpenedIndex;
  retriever: Retriever;
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
}

/** The Node composition root: config → embedder, segmenter, chunker → index (built if needed) → retriever. */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const embedder = options.embedder ?? (await createEmbedder(config, options.log));
  const segmenter = new JiebaSegmenter(config.userTerms);
  const chunker = new Chunker({ chunkSize: config.chunkSize });
  const opened = await openIndex(config, { embedder, segmenter, chunker, rebuild: options.rebuild, log: options.log, onProgress: options.onProgress });
  const withRetriever = (o: RetrieverOptions) => new Retriever(opened.index, embedder, segmenter, o);
  return { config, embedder, segmenter, opened, retriever: withRetriever(options.retriever ?? {}), withRetriever };
}

import type { Config } from '../config/config.js';
import { Chunker } from '../core/chunk/chunker.js';
import { contentHash } from '../core/hash.js';
import type { BuildProgress } from '../core/indexing/buildIndex.js';
import { buildCorpusBundle, type CorpusBundle } from '../core/indexing/corpusBundle.js';
import { DEFAULT_WATERMARKS } from '../core/ingest/clean.js';
import { DOMAIN_TERMS } from '../core/lexical/domainTerms.js';
import { loadCorpus } from '../adapters/corpus/fsCorpus.js';
import { JiebaSegmenter } from '../adapters/segmenters/jieba.js';

/** The segmentation vocabulary's identity (domain terms + the user's terms), as recorded in index manifests. */
export const lexiconOf = (config: Config) => contentHash(...DOMAIN_TERMS, '|', ...config.userTerms);

/**
 * Packs the configured corpus for a Worker: the same cleaning, chunking and
 * jieba segmentation as the Node index, with no embeddings.
 */
export async function bundleCorpus(config: Config, options: { log?: (line: string) => void; onProgress?: (p: BuildProgress) => void } = {}): Promise<CorpusBundle> {
  const documents = await loadCorpus(config.corpusDir, { watermarks: [...DEFAULT_WATERMARKS, ...config.watermarks] }, options.log);
  return buildCorpusBundle({
    documents,
    chunker: new Chunker({ chunkSize: config.chunkSize }),
    segmenter: new JiebaSegmenter(config.userTerms),
    lexicon: lexiconOf(config),
    onProgress: options.onProgress,
  });
}

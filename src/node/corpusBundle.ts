import type { Config } from './config.js';
import type { Reporting } from './reporting.js';
import { Chunker } from '../core/chunk/chunker.js';
import { contentHash } from '../core/hash.js';
import type { BuildProgress } from '../core/indexing/buildIndex.js';
import { buildCorpusBundle, type CorpusBundle } from '../core/indexing/corpusBundle.js';
import { Bm25Index } from '../core/lexical/bm25.js';
import { lexiconToJSON } from '../core/retrieve/bilingual.js';
import { buildCorpusLexicon } from './lexicon.js';
import { DEFAULT_WATERMARKS } from '../core/ingest/clean.js';
import type { Domain } from '../core/domain/pack.js';
import { loadCorpus, loadDomain } from '../adapters/corpus/fsCorpus.js';
import { segmenterFor } from './runtime.js';

/** The segmentation vocabulary's identity (the domain pack's terms + the user's), as recorded in index manifests. */
export const lexiconOf = (config: Config, domain: Domain) => contentHash(...domain.terms, '|', ...config.userTerms);

/**
 * Packs the configured corpus for a Worker: the same cleaning, chunking and
 * jieba segmentation as the Node index, with no embeddings.
 */
export async function bundleCorpus(config: Config, options: Reporting<BuildProgress> = {}): Promise<CorpusBundle> {
  const { documents } = await loadCorpus(config.corpusDir, { watermarks: [...DEFAULT_WATERMARKS, ...config.watermarks] }, options.log);
  const domain = await loadDomain(config.corpusDir);
  const bundle = await buildCorpusBundle({
    documents,
    domain: domain.pack,
    chunker: new Chunker({ chunkSize: config.chunkSize }),
    segmenter: segmenterFor(config, domain),
    lexicon: lexiconOf(config, domain),
    onProgress: options.onProgress,
  });
  // The Worker cannot load the dictionary (its data is megabytes): it gets the corpus' slice of it.
  return { ...bundle, dictionary: lexiconToJSON(await buildCorpusLexicon(Bm25Index.fromJSON(bundle.bm25))) };
}

import { join } from 'node:path';
import type { Config } from './config.js';
import type { Reporting } from './reporting.js';
import type { Domain } from '../core/domain/pack.js';
import type { Chunker } from '../core/chunk/chunker.js';
import { DEFAULT_WATERMARKS } from '../core/ingest/clean.js';
import { buildIndex, corpusHash, incompatibility, type BuildProgress, type BuildResult, type IndexManifest } from '../core/indexing/buildIndex.js';
import type { Embedder, Segmenter } from '../core/ports.js';
import type { CorpusIndex } from '../core/retrieve/corpusIndex.js';
import { loadCorpus, type SkippedFile } from '../adapters/corpus/fsCorpus.js';
import { IndexCorruptError, IndexStore, type StoredIndex } from '../adapters/storage/indexStore.js';
import { HnswVectorStore } from '../adapters/vectorstores/hnswStore.js';
import { lexiconOf } from './corpusBundle.js';
import { builtFromDifferences } from '../core/indexing/builtFrom.js';

export interface OpenIndexOptions extends Reporting<BuildProgress> {
  embedder: Embedder;
  segmenter: Segmenter;
  chunker: Chunker;
  domain: Domain;
  /** Ignore any stored index and build from scratch. */
  rebuild?: boolean;
  /**
   * The stored index as a server already loaded it (storedIndex): used as it is when the corpus has not changed,
   * so it is not read and checked twice; a build never updates it in place.
   */
  stored?: StoredIndex;
}

export interface OpenedIndex {
  index: CorpusIndex;
  manifest: IndexManifest;
  /** null when the stored index was current and nothing was built. */
  build: BuildResult['stats'] | null;
  /** Why a build happened (or null). */
  reason: string | null;
  buildMs: number;
  /** Corpus files that were not indexed, and why (the rest are served). */
  skipped: SkippedFile[];
}

export const indexDir = (config: Config) => join(config.dataDir, 'index');

/**
 * Loads the stored index and brings it up to date with the corpus: nothing to
 * do when the corpus hash matches; per-document updates when documents
 * changed; a full rebuild when the embedder or chunking changed or the stored
 * index is damaged. Never serves an index that does not match the corpus.
 */
export async function openIndex(config: Config, options: OpenIndexOptions): Promise<OpenedIndex> {
  const store = new IndexStore(indexDir(config));
  return store.withLock(() => openLocked(config, options, store));
}

/**
 * The stored index as it is, without reading the corpus: what a server answers from while it brings the index up to
 * date. Null when there is none, it is damaged, or it was built with another embedder or chunking (then nothing
 * stored can answer).
 */
export function storedIndex(config: Config, options: Pick<OpenIndexOptions, 'embedder' | 'chunker'>): StoredIndex | null {
  try {
    const stored = new IndexStore(indexDir(config)).load();
    if (!stored || incompatibility(stored.manifest, options.embedder, options.chunker.chunkSize, config.embedTitle)) return null;
    stored.vectors.setEf(config.retrieval.hnswEf);
    return stored;
  } catch (err) {
    if (err instanceof IndexCorruptError) return null;
    throw err;
  }
}

/** A stored index served as it is: nothing built, no corpus read (so nothing known to be skipped). */
export const servedAsIs = (stored: StoredIndex): OpenedIndex => ({
  index: stored.index,
  manifest: stored.manifest,
  build: null,
  reason: null,
  buildMs: 0,
  skipped: [],
});

async function openLocked(config: Config, options: OpenIndexOptions, store: IndexStore): Promise<OpenedIndex> {
  const log = options.log ?? (() => {});
  const { documents, skipped } = await loadCorpus(config.corpusDir, { watermarks: [...DEFAULT_WATERMARKS, ...config.watermarks] }, log);
  const lexicon = lexiconOf(config, options.domain);

  let reason: string | null = null;
  const load = (): StoredIndex | null => {
    try {
      const loaded = store.load();
      if (!loaded) reason = 'no index yet';
      return loaded;
    } catch (err) {
      if (!(err instanceof IndexCorruptError)) throw err;
      reason = `stored index damaged (${err.message.split('\n')[0]}); rebuilding`;
      log(`index: ${reason}`);
      return null;
    }
  };
  let previous: StoredIndex | null = null;
  if (options.rebuild) reason = 'rebuild requested';
  else previous = options.stored ?? load();
  if (previous) {
    const why = incompatibility(previous.manifest, options.embedder, options.chunker.chunkSize, config.embedTitle);
    if (why) {
      reason = `${why}; rebuilding`;
      log(`index: ${reason}`);
      previous = null;
    }
  }
  previous?.vectors.setEf(config.retrieval.hnswEf);
  const changes = previous ? builtFromDifferences(previous.manifest, { corpusHash: corpusHash(documents), lexicon }) : [];
  if (previous && !changes.length) {
    return { ...servedAsIs(previous), skipped };
  }
  // A build updates the previous index's vector store in place: never the copy a server is answering from meanwhile.
  if (previous && previous === options.stored) {
    previous = load();
    previous?.vectors.setEf(config.retrieval.hnswEf);
  }
  if (previous) reason = changes.some((c) => c.field === 'lexicon') ? 'segmentation vocabulary changed; lexical index rebuilt' : 'corpus changed';

  const t0 = performance.now();
  const vectors = previous?.vectors ?? new HnswVectorStore(options.embedder.dimensions, { ef: config.retrieval.hnswEf });
  const result = await buildIndex({
    documents,
    chunker: options.chunker,
    embedder: options.embedder,
    segmenter: options.segmenter,
    vectors,
    previous: previous ? { manifest: previous.manifest, chunks: previous.chunks } : undefined,
    embedTitle: config.embedTitle,
    lexicon,
    onProgress: options.onProgress,
  });
  // Deletes and in-place updates weaken an HNSW graph; rebuild it from the stored vectors (no re-embedding).
  if (result.stats.changed.length || result.stats.removed.length) vectors.compact();
  store.save(result.manifest, documents, result.chunks, result.index.bm25, vectors);
  return { index: result.index, manifest: result.manifest, build: result.stats, reason, buildMs: performance.now() - t0, skipped };
}

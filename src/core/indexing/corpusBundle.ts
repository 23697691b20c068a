import { UserFacingError } from '../errors.js';
import type { Chunker } from '../chunk/chunker.js';
import { lexiconFromJSON, type Lexicon, type LexiconSnapshot } from '../retrieve/bilingual.js';
import { compileDomain, NEUTRAL_DOMAIN, type Domain, type DomainPack } from '../domain/pack.js';
import { documentHash } from '../hash.js';
import { Bm25Index, type Bm25Snapshot } from '../lexical/bm25.js';
import type { Segmenter } from '../ports.js';
import type { Chunk, Document } from '../types.js';
import { buildLexicalIndex, corpusHash, type BuildProgress } from './buildIndex.js';
import { builtFromDifferences, type BuiltFrom } from './builtFrom.js';

export const BUNDLE_SCHEMA = 2;

/**
 * A corpus packed for a runtime that cannot read the corpus folder or run
 * jieba (a Cloudflare Worker): the canonical documents, their chunks and the
 * BM25 index built from jieba terms. Plain JSON. Chunk texts are left out
 * (they are slices of their document) and restored on opening.
 */
export interface CorpusBundle extends BuiltFrom {
  schema: number;
  /** The segmentation vocabulary the lexical index was built with (see IndexManifest.lexicon). */
  lexicon: string;
  chunking: { chunkSize: number; embedTitle: boolean };
  builtAt: string;
  documents: Document[];
  chunks: Omit<Chunk, 'text'>[];
  bm25: Bm25Snapshot;
  /** The corpus' domain pack, when it carries one. */
  domain?: DomainPack;
  /** The corpus' dictionary lexicon (English, traditional characters, pinyin), when the build had one. */
  dictionary?: LexiconSnapshot;
  /** The last complete `npm run push:vectorize` to the Worker's Vectorize index, when there was one (the vector manifest). */
  vectors?: PushedVectors;
}

/** What a Vectorize index holds: which embedder made its vectors, from which corpus, how many. */
export interface PushedVectors extends BuiltFrom {
  index: string;
  embedder: { id: string; dimensions: number };
  count: number;
  pushedAt: string;
}

/** Why a Worker may not query these pushed vectors with `embedder` (null: it may). */
export function vectorsMismatch(bundle: Pick<CorpusBundle, 'corpusHash' | 'vectors'>, embedder: { id: string; dimensions: number }): string | null {
  const v = bundle.vectors;
  if (!v) return 'this build records no push to Vectorize: run npm run push:vectorize, then npm run build:worker (or wrangler deploy) again';
  const differences = builtFromDifferences(v, { corpusHash: bundle.corpusHash, embedder: { id: embedder.id, dimensions: embedder.dimensions } });
  if (differences.some((d) => d.field === 'corpus'))
    return `the Vectorize index "${v.index}" holds vectors of another corpus: run npm run push:vectorize, then deploy again`;
  if (differences.length) {
    return `the Vectorize index "${v.index}" was filled by ${v.embedder.id} (${v.embedder.dimensions} dimensions), but queries would be embedded by ${embedder.id} (${embedder.dimensions})`;
  }
  return null;
}

export interface OpenedBundle {
  documents: Document[];
  chunks: Chunk[];
  bm25: Bm25Index;
  domain: Domain;
  lexicon: Lexicon | null;
}

export class BundleError extends UserFacingError {
  override name = 'BundleError';
}

export async function buildCorpusBundle(input: {
  documents: Document[];
  domain?: DomainPack;
  chunker: Chunker;
  segmenter: Segmenter;
  lexicon: string;
  now?: Date;
  onProgress?: (p: BuildProgress) => void;
}): Promise<CorpusBundle> {
  const chunks: Chunk[] = [];
  for (const [i, doc] of input.documents.entries()) {
    chunks.push(...(await input.chunker.split(doc)));
    input.onProgress?.({ phase: 'chunk', done: i + 1, total: input.documents.length });
  }
  const bm25 = buildLexicalIndex(chunks, input.segmenter, input.onProgress);
  return {
    schema: BUNDLE_SCHEMA,
    corpusHash: corpusHash(input.documents),
    lexicon: input.lexicon,
    chunking: { chunkSize: input.chunker.chunkSize, embedTitle: false },
    builtAt: (input.now ?? new Date()).toISOString(),
    documents: input.documents,
    chunks: chunks.map(({ text: _text, ...rest }) => rest),
    bm25: bm25.toJSON(),
    ...(input.domain ? { domain: input.domain } : {}),
  };
}

/** Checks a bundle and restores its chunk texts; a bundle that does not fit its documents is refused, never served. */
export function openCorpusBundle(bundle: CorpusBundle): OpenedBundle {
  if (bundle?.schema !== BUNDLE_SCHEMA) throw new BundleError(`corpus bundle format ${String(bundle?.schema)} ≠ ${BUNDLE_SCHEMA}; run npm run build:worker`);
  const byId = new Map(bundle.documents.map((d) => [d.id, d]));
  if (bundle.documents.some((d) => documentHash(d) !== d.hash) || corpusHash(bundle.documents) !== bundle.corpusHash)
    throw new BundleError('corpus bundle damaged: its documents do not match its corpus hash; run npm run build:worker');
  const chunks = bundle.chunks.map((c): Chunk => {
    const doc = byId.get(c.docId);
    if (!doc || c.end > doc.text.length || c.start < 0 || c.start >= c.end)
      throw new BundleError(`corpus bundle damaged: chunk ${c.id} lies outside its document; run npm run build:worker`);
    return { ...c, text: doc.text.slice(c.start, c.end) };
  });
  const bm25 = Bm25Index.fromJSON(bundle.bm25);
  if (bm25.size !== chunks.length)
    throw new BundleError(`corpus bundle damaged: ${bm25.size} lexical entries for ${chunks.length} chunks; run npm run build:worker`);
  return {
    documents: bundle.documents,
    chunks,
    bm25,
    domain: bundle.domain ? compileDomain(bundle.domain) : NEUTRAL_DOMAIN,
    lexicon: bundle.dictionary ? lexiconFromJSON(bundle.dictionary) : null,
  };
}

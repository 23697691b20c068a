import type { Chunker } from '../chunk/chunker.js';
import { contentHash } from '../hash.js';
import { builtFromDifferences, describeDifference, type BuiltFrom } from './builtFrom.js';
import { Bm25Index } from '../lexical/bm25.js';
import type { Embedder, Segmenter, VectorStore } from '../ports.js';
import { CorpusIndex, vectorTextsOf } from '../retrieve/corpusIndex.js';
import type { Chunk, Document } from '../types.js';

/** A stored index's manifest: what it was built from (compared at start-up), its documents and counts. */
export interface IndexManifest extends BuiltFrom {
  schema: number;
  embedder: { id: string; dimensions: number };
  chunking: { chunkSize: number; embedTitle: boolean };
  /** Identifies the segmenter's vocabulary: a change rebuilds the lexical index (embeddings are kept). */
  lexicon: string;
  documents: { id: string; hash: string; title: string; chunks: number }[];
  counts: { documents: number; chunks: number; vectors: number };
  builtAt: string;
}

export const INDEX_SCHEMA = 2;

export interface BuildProgress {
  phase: 'chunk' | 'embed' | 'lexical';
  done: number;
  total: number;
}

export interface BuildInput {
  documents: Document[];
  chunker: Chunker;
  embedder: Embedder;
  segmenter: Segmenter;
  /** The store to fill; when `previous` is given it already holds the previous vectors. */
  vectors: VectorStore;
  previous?: { manifest: IndexManifest; chunks: Chunk[] };
  /** Prefix each passage with its document title before embedding. */
  embedTitle?: boolean;
  /** Recorded in the manifest (see IndexManifest.lexicon). */
  lexicon?: string;
  onProgress?: (p: BuildProgress) => void;
}

export interface BuildResult {
  index: CorpusIndex;
  manifest: IndexManifest;
  chunks: Chunk[];
  stats: { added: string[]; changed: string[]; removed: string[]; unchanged: string[]; embedded: number; embedMs: number };
}

export function corpusHash(documents: Document[]): string {
  return contentHash(...[...documents].sort((a, b) => a.id.localeCompare(b.id)).map((d) => `${d.id}:${d.hash}`));
}

/** Why a previous index cannot be reused at all (null: it can, per document). */
export function incompatibility(manifest: IndexManifest, embedder: Embedder, chunkSize: number, embedTitle: boolean): string | null {
  if (manifest.schema !== INDEX_SCHEMA) return `index format ${manifest.schema} ≠ ${INDEX_SCHEMA}`;
  const [first] = builtFromDifferences(manifest, { embedder: { id: embedder.id, dimensions: embedder.dimensions }, chunking: { chunkSize, embedTitle } });
  return first ? describeDifference(first) : null;
}

/**
 * Builds or updates the index. Documents whose hash is unchanged keep their
 * chunks and vectors; changed and new documents are chunked and embedded;
 * removed ones are deleted. The lexical index is rebuilt (it is cheap).
 */
export async function buildIndex(input: BuildInput): Promise<BuildResult> {
  const { documents, chunker, embedder, segmenter, vectors, previous, onProgress } = input;
  const embedTitle = input.embedTitle ?? false;
  const prevHash = new Map(previous?.manifest.documents.map((d) => [d.id, d.hash]) ?? []);
  const prevChunks = new Map<string, Chunk[]>();
  for (const c of previous?.chunks ?? []) prevChunks.set(c.docId, [...(prevChunks.get(c.docId) ?? []), c]);

  const stats: BuildResult['stats'] = { added: [], changed: [], removed: [], unchanged: [], embedded: 0, embedMs: 0 };
  const current = new Set(documents.map((d) => d.id));
  for (const id of prevHash.keys()) {
    if (!current.has(id)) {
      stats.removed.push(id);
      await vectors.delete(vectorIdsOf(prevChunks.get(id) ?? []));
    }
  }

  const allChunks: Chunk[] = [];
  const toEmbed: { id: string; text: string }[] = [];
  for (const [i, doc] of documents.entries()) {
    const old = prevHash.get(doc.id);
    if (old === doc.hash && prevChunks.has(doc.id)) {
      stats.unchanged.push(doc.id);
      allChunks.push(...prevChunks.get(doc.id)!);
    } else {
      (old ? stats.changed : stats.added).push(doc.id);
      if (old) await vectors.delete(vectorIdsOf(prevChunks.get(doc.id) ?? []));
      const chunks = await chunker.split(doc);
      allChunks.push(...chunks);
      for (const c of chunks) toEmbed.push(...vectorTextsOf(c, embedTitle ? `${doc.title}\n` : ''));
    }
    onProgress?.({ phase: 'chunk', done: i + 1, total: documents.length });
  }

  const t0 = performance.now();
  // Similar lengths batch together, so little compute goes into padding.
  toEmbed.sort((a, b) => a.text.length - b.text.length);
  const batch = 32;
  for (let i = 0; i < toEmbed.length; i += batch) {
    const slice = toEmbed.slice(i, i + batch);
    const vecs = await embedder.embed(
      slice.map((x) => x.text),
      'passage',
    );
    await vectors.upsert(slice.map((x, j) => ({ id: x.id, vector: vecs[j]! })));
    onProgress?.({ phase: 'embed', done: Math.min(i + batch, toEmbed.length), total: toEmbed.length });
  }
  stats.embedded = toEmbed.length;
  stats.embedMs = performance.now() - t0;

  const bm25 = buildLexicalIndex(allChunks, segmenter, onProgress);

  const index = new CorpusIndex(documents, allChunks, bm25, vectors);
  const perDoc = new Map<string, number>();
  for (const c of allChunks) perDoc.set(c.docId, (perDoc.get(c.docId) ?? 0) + 1);
  const manifest: IndexManifest = {
    schema: INDEX_SCHEMA,
    embedder: { id: embedder.id, dimensions: embedder.dimensions },
    chunking: { chunkSize: chunker.chunkSize, embedTitle },
    lexicon: input.lexicon ?? '',
    corpusHash: corpusHash(documents),
    documents: documents.map((d) => ({ id: d.id, hash: d.hash, title: d.title, chunks: perDoc.get(d.id) ?? 0 })),
    counts: { documents: documents.length, chunks: allChunks.length, vectors: index.expectedVectorCount },
    builtAt: new Date().toISOString(),
  };
  return { index, manifest, chunks: allChunks, stats };
}

/** The BM25 index over the chunks' terms. */
export function buildLexicalIndex(chunks: Chunk[], segmenter: Segmenter, onProgress?: (p: BuildProgress) => void): Bm25Index {
  const bm25 = new Bm25Index();
  chunks.forEach((c, i) => {
    bm25.add(c.id, segmenter.terms(c.text));
    if (i % 200 === 0 || i === chunks.length - 1) onProgress?.({ phase: 'lexical', done: i + 1, total: chunks.length });
  });
  return bm25;
}

function vectorIdsOf(chunks: Chunk[]): string[] {
  return chunks.flatMap((c) => vectorTextsOf(c).map((v) => v.id));
}

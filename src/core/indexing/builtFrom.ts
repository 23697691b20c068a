/**
 * What a stored index, a Worker's corpus bundle or a set of vectors pushed to
 * Vectorize was built from: one record, kept with each, and one check of it
 * against what the running code would build now. A difference means the
 * stored thing answers for another corpus, vocabulary, chunking or model.
 */
export interface BuiltFrom {
  /** The documents: their ids and content hashes (see corpusHash). */
  corpusHash: string;
  /** The segmentation vocabulary (the domain pack's terms and the user's); absent where no lexical index was built. */
  lexicon?: string;
  /** How the documents were cut into passages; absent where nothing was chunked. */
  chunking?: { chunkSize: number; embedTitle: boolean };
  /** The model that made the vectors; absent where there are none. */
  embedder?: { id: string; dimensions: number };
}

/** One way a record differs from what would be built now, from the most to the least costly to redo. */
export interface BuiltFromDifference {
  field: 'embedder' | 'dimensions' | 'chunking' | 'lexicon' | 'corpus';
  was: string;
  now: string;
}

const short = (hash: string) => hash.slice(0, 12);
const chunkingOf = (c: NonNullable<BuiltFrom['chunking']>) => `${c.chunkSize} characters${c.embedTitle ? ', titles embedded' : ''}`;

/** How `recorded` differs from `current`, for the fields `current` states (in the order above). */
export function builtFromDifferences(recorded: Partial<BuiltFrom>, current: Partial<BuiltFrom>): BuiltFromDifference[] {
  const out: BuiltFromDifference[] = [];
  const r = recorded;
  if (current.embedder) {
    if (r.embedder?.id !== current.embedder.id) out.push({ field: 'embedder', was: r.embedder?.id ?? 'none', now: current.embedder.id });
    else if (r.embedder.dimensions !== current.embedder.dimensions)
      out.push({ field: 'dimensions', was: String(r.embedder.dimensions), now: String(current.embedder.dimensions) });
  }
  if (current.chunking && (r.chunking?.chunkSize !== current.chunking.chunkSize || r.chunking.embedTitle !== current.chunking.embedTitle)) {
    out.push({ field: 'chunking', was: r.chunking ? chunkingOf(r.chunking) : 'none', now: chunkingOf(current.chunking) });
  }
  if (current.lexicon !== undefined && r.lexicon !== current.lexicon) out.push({ field: 'lexicon', was: short(r.lexicon ?? ''), now: short(current.lexicon) });
  if (current.corpusHash !== undefined && r.corpusHash !== current.corpusHash)
    out.push({ field: 'corpus', was: short(r.corpusHash ?? ''), now: short(current.corpusHash) });
  return out;
}

/** A difference in words, e.g. "embedder changed (a → b)". */
export function describeDifference(d: BuiltFromDifference): string {
  switch (d.field) {
    case 'embedder':
      return `embedder changed (${d.was} → ${d.now})`;
    case 'dimensions':
      return `embedding size changed (${d.was} → ${d.now})`;
    case 'chunking':
      return 'chunking settings changed';
    case 'lexicon':
      return 'segmentation vocabulary changed';
    case 'corpus':
      return `corpus changed (${d.was} → ${d.now})`;
  }
}

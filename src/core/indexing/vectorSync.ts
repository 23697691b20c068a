import { UserFacingError } from '../errors.js';
import { contentHash } from '../hash.js';
import { builtFromDifferences, describeDifference, type BuiltFrom } from './builtFrom.js';

/**
 * Keeping a remote vector index (Cloudflare Vectorize) in step with the corpus.
 * The state of the last complete push says which vector ids the index holds and
 * the hash of the text each was embedded from; the plan upserts what is new or
 * changed and deletes what the corpus no longer has. Pure: no I/O.
 */

export const VECTOR_PUSH_STATE_SCHEMA = 1;

export interface VectorPushState extends BuiltFrom {
  schema: number;
  /** Where the vectors went, e.g. account/index@creation time: another target starts empty. */
  target: string;
  embedder: { id: string; dimensions: number };
  /** Every vector id pushed (Yiju's id, before any Vectorize hashing) → content hash of the text embedded for it. */
  vectors: Record<string, string>;
  pushedAt: string;
}

export interface VectorText {
  id: string;
  text: string;
}

export interface VectorSyncInput {
  /** The state of the last complete push to this index, or null. */
  previous: VectorPushState | null;
  /** Every vector the corpus should have now (see vectorTextsOf). */
  items: VectorText[];
  embedder: { id: string; dimensions: number };
  corpusHash: string;
  target: string;
  /** Re-upsert everything, whatever the state says. */
  force?: boolean;
  now?: Date;
}

export interface VectorSyncPlan {
  /** Vectors to embed and upsert: new ids and ids whose text changed (all of them on a full push). */
  upsert: VectorText[];
  /** Ids the last push wrote to this target that the corpus no longer has. */
  delete: string[];
  /** Vectors already in the index with the same text and embedder. */
  unchanged: number;
  /** Nothing to write to the index. */
  upToDate: boolean;
  /** Every vector is upserted (first push, --force, other embedder or target). */
  full: boolean;
  reason: string;
  /** The state to record once every upsert and delete has succeeded. */
  next: VectorPushState;
  /** Whether `next` says something the previous state did not (a new corpus hash with the same vectors, say). */
  stateChanged: boolean;
}

export class VectorSyncError extends UserFacingError {
  override name = 'VectorSyncError';
}

const short = (hash: string) => hash.slice(0, 12);

/** Why every vector must be upserted, or null when the previous push can be built on. */
function fullReason(input: VectorSyncInput): string | null {
  const { previous, embedder, target } = input;
  if (input.force) return 'forced: re-upserting every vector';
  if (!previous) return `first push to ${target}`;
  if (previous.schema !== VECTOR_PUSH_STATE_SCHEMA) return `push state format ${previous.schema} ≠ ${VECTOR_PUSH_STATE_SCHEMA}: re-upserting every vector`;
  if (previous.target !== target) return `the target changed (${previous.target} → ${target}; a recreated index starts empty): re-upserting every vector`;
  const [changed] = builtFromDifferences(previous, { embedder: { id: embedder.id, dimensions: embedder.dimensions } });
  return changed ? `${describeDifference(changed)}: re-embedding every vector` : null;
}

export function planVectorSync(input: VectorSyncInput): VectorSyncPlan {
  const { previous, items } = input;
  const hashes: Record<string, string> = {};
  for (const item of items) {
    if (Object.hasOwn(hashes, item.id)) throw new VectorSyncError(`vector id ${item.id} occurs twice; every vector needs its own id`);
    hashes[item.id] = contentHash(item.text);
  }
  const next: VectorPushState = {
    schema: VECTOR_PUSH_STATE_SCHEMA,
    target: input.target,
    embedder: { id: input.embedder.id, dimensions: input.embedder.dimensions },
    corpusHash: input.corpusHash,
    vectors: hashes,
    pushedAt: (input.now ?? new Date()).toISOString(),
  };

  const full = fullReason(input);
  // Ids that an earlier push wrote to this very index and that are gone now (also after an embedder change).
  const sameTarget = !!previous && previous.schema === VECTOR_PUSH_STATE_SCHEMA && previous.target === input.target;
  const stale = sameTarget ? Object.keys(previous.vectors).filter((id) => !Object.hasOwn(hashes, id)) : [];

  if (full) {
    return { upsert: [...items], delete: stale, unchanged: 0, upToDate: false, full: true, reason: full, next, stateChanged: true };
  }

  const old = previous!.vectors;
  let added = 0;
  let changed = 0;
  const upsert: VectorText[] = [];
  for (const item of items) {
    const before = Object.hasOwn(old, item.id) ? old[item.id] : undefined;
    if (before === hashes[item.id]) continue;
    if (before === undefined) added++;
    else changed++;
    upsert.push(item);
  }
  const unchanged = items.length - upsert.length;
  const upToDate = upsert.length === 0 && stale.length === 0;
  const [corpusMoved] = builtFromDifferences(previous!, { corpusHash: input.corpusHash });
  const reason = upToDate
    ? `up to date (corpus ${short(input.corpusHash)}, ${items.length} vectors, ${input.embedder.id})`
    : `${corpusMoved ? describeDifference(corpusMoved) : 'vector texts changed with the same corpus (chunking or title settings?)'}: ${added} new, ${changed} changed, ${stale.length} removed, ${unchanged} unchanged`;
  return { upsert, delete: stale, unchanged, upToDate, full: false, reason, next, stateChanged: !upToDate || !!corpusMoved };
}

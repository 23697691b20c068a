import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Config } from './config.js';
import type { Reporting } from './reporting.js';
import type { Embedder } from '../core/ports.js';
import type { BuildProgress } from '../core/indexing/buildIndex.js';
import { openCorpusBundle } from '../core/indexing/corpusBundle.js';
import { planVectorSync, VectorSyncError, type VectorPushState, type VectorText } from '../core/indexing/vectorSync.js';
import { vectorTextsOf } from '../core/retrieve/corpusIndex.js';
import { UserFacingError } from '../core/errors.js';
import {
  CloudflareApiError,
  CloudflareRest,
  restVectorize,
  restWorkersAi,
  type RestVectorize,
  type VectorizeIndexInfo,
} from '../adapters/workers/cloudflareRest.js';
import { VectorizeStore, type VectorizeBinding } from '../adapters/workers/vectorizeStore.js';
import { WorkersAiEmbedder, WorkersAiResponseError } from '../adapters/workers/workersAiEmbedder.js';
import { bundleCorpus } from './corpusBundle.js';

/** Pushes the corpus's vectors to a Cloudflare Vectorize index, embedding only what changed since the last push. */

export const DEFAULT_VECTORIZE_INDEX = 'yiju';
export const DEFAULT_WORKERS_AI_MODEL = '@cf/baai/bge-m3';
/** Vectors per upsert request (Vectorize's HTTP API accepts up to 5000 and 100 MB; 500 × 1024 floats is ~10 MB). */
export const DEFAULT_PUSH_BATCH = 500;
export const MAX_PUSH_BATCH = 1000;

/** Output sizes of Workers AI's text embedding models (others need --dimensions). */
export const WORKERS_AI_DIMENSIONS: Readonly<Record<string, number>> = {
  '@cf/baai/bge-m3': 1024,
  '@cf/baai/bge-small-en-v1.5': 384,
  '@cf/baai/bge-base-en-v1.5': 768,
  '@cf/baai/bge-large-en-v1.5': 1024,
};

export type PushEmbedding = { kind: 'workers-ai' | 'openai'; model?: string; dimensions?: number };

export interface PushProgress {
  /** chunk/lexical: bundling the corpus; upsert: vectors embedded and upserted; delete: stale vectors deleted. */
  phase: BuildProgress['phase'] | 'upsert' | 'delete';
  done: number;
  total: number;
}

export interface PushToVectorizeOptions extends Reporting<PushProgress> {
  config: Config;
  /** Vectorize index name (default yiju). */
  index?: string;
  accountId: string;
  apiToken: string;
  /** Cloudflare API base URL (default https://api.cloudflare.com/client/v4). */
  baseUrl?: string;
  /** Which embedder to build (default Workers AI with bge-m3); ignored when `embedder` is given. */
  embedding?: PushEmbedding;
  /** An embedder to use as is (tests). */
  embedder?: Embedder;
  /** Vectors per upsert or delete request (default 500, at most 1000). */
  batchSize?: number;
  /** Ignore the push state and re-upsert every vector. */
  force?: boolean;
  /** Compute and report the plan; embed nothing, write nothing. */
  dryRun?: boolean;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  retries?: number;
}

export interface PushSummary {
  index: string;
  corpusHash: string;
  embedder: { id: string; dimensions: number };
  /** Vectors the corpus has. */
  vectors: number;
  upserted: number;
  deleted: number;
  unchanged: number;
  /** Texts sent to the embedder. */
  embedded: number;
  /** Nothing was written to the index (up to date). */
  skipped: boolean;
  dryRun: boolean;
  /** What the plan asked for (equal to upserted/deleted after a complete push). */
  planned: { upsert: number; delete: number };
  reason: string;
  statePath: string;
  /** The last mutation Vectorize accepted (mutations apply asynchronously). */
  mutationId?: string;
}

const INDEX_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/u;

/** Where the state of the last complete push to `index` is kept. */
export const pushStatePath = (config: Config, index: string) => join(config.dataDir, 'vectorize', `${index}.json`);

export async function readPushState(path: string, log: (line: string) => void = () => {}): Promise<VectorPushState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const state = JSON.parse(text) as VectorPushState;
    if (typeof state?.schema !== 'number' || typeof state.target !== 'string' || !state.embedder || !state.vectors || typeof state.vectors !== 'object')
      throw new Error('unexpected shape');
    return state;
  } catch (err) {
    log(`vectorize: ignoring unreadable push state ${path} (${(err as Error).message}); every vector will be upserted`);
    return null;
  }
}

/** Writes the state under a temporary name, then renames it into place (never half-written). */
export async function writePushState(path: string, state: VectorPushState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(state)}\n`);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Builds the embedder chosen on the command line. Workers AI goes through the REST API with the
 * same account and token; an OpenAI-compatible endpoint learns its size later (see `probe`) when not configured.
 */
export async function createPushEmbedder(choice: PushEmbedding, config: Config, rest: CloudflareRest): Promise<Embedder & { probe?: () => Promise<unknown> }> {
  if (choice.kind === 'openai') {
    if (!config.openai.apiKey)
      throw new UserFacingError(
        '--embedder openai needs OPENAI_API_KEY.',
        'set OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI endpoint), or use --embedder workers-ai.',
      );
    // Loaded only when used: the OpenAI SDK is a noticeable part of the start-up time.
    const { OpenAIEmbedder } = await import('../adapters/embedders/openaiEmbedder.js');
    return new OpenAIEmbedder({
      apiKey: config.openai.apiKey,
      baseURL: config.openai.baseURL,
      model: choice.model ?? config.openai.embeddingModel,
      dimensions: choice.dimensions ?? config.embeddingDimensions,
      timeoutMs: config.openai.timeoutMs,
      maxRetries: config.openai.maxRetries,
    });
  }
  const model = choice.model ?? DEFAULT_WORKERS_AI_MODEL;
  const dimensions = choice.dimensions ?? WORKERS_AI_DIMENSIONS[model];
  if (!dimensions)
    throw new UserFacingError(
      `The output size of the Workers AI model ${model} is not known.`,
      `pass --dimensions with the size the model produces (see developers.cloudflare.com/workers-ai/models).`,
    );
  return new WorkersAiEmbedder(restWorkersAi(rest), { model, dimensions });
}

/** Errors from Cloudflare or the embedder become sentences with a fix (printed without a stack by runCli). */
function userFacing(err: unknown): unknown {
  if (err instanceof CloudflareApiError) return new UserFacingError(err.message, err.hint);
  if (err instanceof WorkersAiResponseError)
    return new UserFacingError(err.message, 'check --model and --dimensions (they must match the model and the index).');
  if (err instanceof VectorSyncError) return new UserFacingError(err.message, 'this is a bug in the vector ids; please report it.');
  return err;
}

export async function pushToVectorize(options: PushToVectorizeOptions): Promise<PushSummary> {
  try {
    return await push(options);
  } catch (err) {
    throw userFacing(err);
  }
}

async function push(options: PushToVectorizeOptions): Promise<PushSummary> {
  const { config } = options;
  const log = options.log ?? (() => {});
  const onProgress = options.onProgress ?? (() => {});
  const index = options.index ?? DEFAULT_VECTORIZE_INDEX;
  if (!INDEX_NAME.test(index))
    throw new UserFacingError(`"${index}" is not a Vectorize index name.`, 'use letters, digits and dashes (e.g. yiju), at most 64 characters.');
  const batchSize = options.batchSize ?? DEFAULT_PUSH_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_PUSH_BATCH)
    throw new UserFacingError(`--batch ${batchSize} is out of range.`, `use a whole number from 1 to ${MAX_PUSH_BATCH}.`);

  const rest = new CloudflareRest({
    accountId: options.accountId,
    apiToken: options.apiToken,
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    sleep: options.sleep,
    retries: options.retries,
  });
  const embedder: Embedder & { probe?: () => Promise<unknown> } =
    options.embedder ?? (await createPushEmbedder(options.embedding ?? { kind: 'workers-ai' }, config, rest));
  const vectorize = restVectorize({ rest, index, dimensions: embedder.dimensions || undefined });

  // 1. The index must exist and take vectors of the embedder's size (checked first: it fails fast on bad credentials).
  const info = await vectorize.info();
  // Errors of an OpenAI-compatible endpoint (its SDK's own classes) are told as sentences, like Cloudflare's.
  const viaEndpoint = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (options.embedder || options.embedding?.kind !== 'openai' || err instanceof UserFacingError) throw err;
      throw new UserFacingError(
        `The embedding endpoint failed (${embedder.id}): ${(err as Error).message ?? String(err)}`,
        'check OPENAI_BASE_URL, OPENAI_API_KEY and YIJU_EMBEDDING_MODEL (or --model), then run the command again (finished work is not redone).',
      );
    }
  };
  if (!embedder.dimensions && !options.dryRun && embedder.probe) await viaEndpoint(() => embedder.probe!());
  if (!embedder.dimensions)
    log(`vectorize: the embedding size of ${embedder.id} is not known without a request (dry run); assuming the index's ${info.config.dimensions}`);
  const dimensions = embedder.dimensions || info.config.dimensions;
  checkIndex(info, index, embedder, dimensions);

  // 2. The vectors the corpus should have: exactly what the Worker will compute from the same bundle.
  const bundle = await bundleCorpus(config, { log, onProgress });
  const opened = openCorpusBundle(bundle);
  const titles = new Map(opened.documents.map((d) => [d.id, d.title]));
  const items: VectorText[] = opened.chunks.flatMap((chunk) => vectorTextsOf(chunk, config.embedTitle ? `${titles.get(chunk.docId)}\n` : ''));
  log(`vectorize: ${opened.documents.length} documents, ${opened.chunks.length} passages, ${items.length} vectors (corpus ${bundle.corpusHash.slice(0, 12)})`);

  // 3. The plan, against the state of the last complete push.
  const statePath = pushStatePath(config, index);
  const previous = await readPushState(statePath, log);
  const target = `${options.accountId}/${index}${info.created_on ? `@${info.created_on}` : ''}`;
  const plan = planVectorSync({ previous, items, embedder: { id: embedder.id, dimensions }, corpusHash: bundle.corpusHash, target, force: options.force });
  const summary: PushSummary = {
    index,
    corpusHash: bundle.corpusHash,
    embedder: { id: embedder.id, dimensions },
    vectors: items.length,
    upserted: 0,
    deleted: 0,
    unchanged: plan.unchanged,
    embedded: 0,
    skipped: plan.upToDate,
    dryRun: !!options.dryRun,
    planned: { upsert: plan.upsert.length, delete: plan.delete.length },
    reason: plan.reason,
    statePath,
  };
  log(`vectorize ${index}: ${plan.reason}`);
  if (options.dryRun) {
    log(`vectorize ${index}: dry run: would embed and upsert ${plan.upsert.length}, delete ${plan.delete.length}, keep ${plan.unchanged}; nothing written`);
    return summary;
  }
  if (plan.upToDate) {
    if (plan.stateChanged) await writePushState(statePath, plan.next);
    return summary;
  }

  // 4. Embed and upsert batch by batch, then delete what the corpus no longer has.
  const binding = recordingMutations(vectorize, (id) => (summary.mutationId = id ?? summary.mutationId));
  const store = new VectorizeStore(binding, { batchSize });
  const total = plan.upsert.length;
  if (total) onProgress({ phase: 'upsert', done: 0, total });
  for (let i = 0; i < total; i += batchSize) {
    const batch = plan.upsert.slice(i, i + batchSize);
    const vectors = await viaEndpoint(() =>
      embedder.embed(
        batch.map((b) => b.text),
        'passage',
        (done) => onProgress({ phase: 'upsert', done: Math.min(i + done, total), total }),
      ),
    );
    if (vectors.length !== batch.length)
      throw new UserFacingError(
        `The embedder ${embedder.id} returned ${vectors.length} vectors for ${batch.length} texts.`,
        'run the command again; if it persists, check the embedding endpoint.',
      );
    for (const v of vectors) {
      if (v.length !== info.config.dimensions)
        throw new UserFacingError(
          `The embedder ${embedder.id} returned ${v.length}-dimensional vectors; the index ${index} holds ${info.config.dimensions}.`,
          'pass --dimensions matching the model, or use an index created for it.',
        );
    }
    summary.embedded += batch.length;
    await store.upsert(batch.map((b, j) => ({ id: b.id, vector: vectors[j]! })));
    summary.upserted += batch.length;
    onProgress({ phase: 'upsert', done: summary.upserted, total });
  }
  if (plan.delete.length) {
    onProgress({ phase: 'delete', done: 0, total: plan.delete.length });
    for (let i = 0; i < plan.delete.length; i += batchSize) {
      const batch = plan.delete.slice(i, i + batchSize);
      await store.delete(batch);
      summary.deleted += batch.length;
      onProgress({ phase: 'delete', done: summary.deleted, total: plan.delete.length });
    }
  }

  // 5. Only now does the state claim the new vectors.
  await writePushState(statePath, plan.next);
  return summary;
}

function checkIndex(info: VectorizeIndexInfo, index: string, embedder: Embedder, dimensions: number): void {
  const { dimensions: indexDims, metric } = info.config;
  if (indexDims !== dimensions) {
    throw new UserFacingError(
      `The Vectorize index ${index} holds ${indexDims}-dimensional vectors, but ${embedder.id} produces ${dimensions}.`,
      `use an index made for this embedder (npx wrangler vectorize create <name> --dimensions=${dimensions} --metric=cosine, then --index <name>), or an embedder with ${indexDims} dimensions.`,
    );
  }
  // Yiju's vectors are normalised, so cosine and dot product rank alike; Euclidean distances would turn its scores upside down.
  if (metric !== 'cosine' && metric !== 'dot-product') {
    throw new UserFacingError(
      `The Vectorize index ${index} uses the ${metric} metric; Yiju's scores are cosine similarities.`,
      `create an index with --metric=cosine (npx wrangler vectorize create <name> --dimensions=${dimensions} --metric=cosine).`,
    );
  }
}

/** The binding, reporting each mutation id Vectorize returns. */
function recordingMutations(binding: RestVectorize, record: (id: string | undefined) => void): VectorizeBinding {
  return {
    upsert: async (vectors) => {
      const res = await binding.upsert(vectors);
      record(res.mutationId);
      return res;
    },
    deleteByIds: async (ids) => {
      const res = await binding.deleteByIds(ids);
      record(res.mutationId);
      return res;
    },
    query: (vector, options) => binding.query(vector, options),
  };
}

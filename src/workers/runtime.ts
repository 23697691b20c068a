import { createChatModel } from '../adapters/chat/createChatModel.js';
import { LogFeedbackStore } from '../adapters/feedback/logFeedbackStore.js';
import { KvFeedbackStore } from '../adapters/workers/kvFeedbackStore.js';
import { VectorizeStore } from '../adapters/workers/vectorizeStore.js';
import { WorkersAiEmbedder } from '../adapters/workers/workersAiEmbedder.js';
import { ConfigError, httpOptionsOf } from '../config/index.js';
import { createAssistant } from '../core/assistant.js';
import { openCorpusBundle, vectorsMismatch, type CorpusBundle } from '../core/indexing/corpusBundle.js';
import { VocabularySegmenter } from '../core/lexical/vocabularySegmenter.js';
import { CorpusIndex, vectorTextsOf } from '../core/retrieve/corpusIndex.js';
import { NO_VECTORS } from '../core/retrieve/lexicalOnly.js';
import { createApp, type YijuApp } from '../http/app.js';
import type { AppDeps } from '../http/deps.js';
import { jsonLogger, type Logger } from '../http/log.js';
import type { WebAssets } from '../http/routes/web.js';
import type { WorkerBindings } from './bindings.js';
import type { WorkerConfig } from './config.js';

/** What `npm run build:worker` packs into the Worker. */
export interface WorkerPayload {
  bundle: CorpusBundle;
  assets: Record<string, string>;
  version: string;
}

/** The output size of the default Workers AI embedding model (bge-m3). */
const WORKERS_AI_DEFAULT_DIMENSIONS = 1024;

/**
 * The Workers runtime: bindings and variables → the same assistant and app
 * the Node server runs. Bundled mode: the packed BM25 index alone. Vectorize
 * mode: the same, fused with Workers AI embeddings of the pushed corpus.
 * Built once per isolate, on its first request.
 */
export function createWorkerApp(
  config: WorkerConfig,
  env: WorkerBindings,
  payload: WorkerPayload,
  logger: Logger = jsonLogger((l) => console.log(l), config.http.logLevel),
): YijuApp {
  const { bundle } = payload;
  const { documents, chunks, bm25, domain, lexicon } = openCorpusBundle(bundle);
  const segmenter = new VocabularySegmenter(bm25.vocabulary());
  const vectorize = config.workers.retrieval === 'vectorize' || (config.workers.retrieval === 'auto' && env.AI && env.VECTORIZE);
  let index = new CorpusIndex(documents, chunks, bm25, NO_VECTORS);
  let embedder: WorkersAiEmbedder | null = null;
  let vectors = 0;
  if (vectorize) {
    if (!env.AI || !env.VECTORIZE) throw new ConfigError('YIJU_RETRIEVAL=vectorize needs the AI and VECTORIZE bindings in wrangler.toml');
    embedder = new WorkersAiEmbedder(env.AI, { model: config.workers.embeddingModel, dimensions: config.embeddingDimensions ?? WORKERS_AI_DEFAULT_DIMENSIONS });
    // Never query vectors made by another model or from another corpus: the answers would be silently wrong.
    const mismatch = vectorsMismatch(bundle, embedder);
    if (mismatch) throw new ConfigError(`Vectorize mode: ${mismatch}`);
    const ids = chunks.flatMap((c) => vectorTextsOf(c).map((v) => v.id));
    index = new CorpusIndex(documents, chunks, bm25, new VectorizeStore(env.VECTORIZE, { ids }));
    vectors = ids.length;
  }
  const chat = createChatModel({ chat: config.chat, openai: config.openai, workersAiModel: config.workers.chatModel }, env.AI);
  const assistant = createAssistant({ index, embedder, segmenter, chat, domain, ...(lexicon ? { retriever: { lexicon: async () => lexicon } } : {}) });
  const deps: AppDeps = {
    answerer: assistant.answerer,
    search: (q, k, filter) => assistant.retriever.retrieve(q, k, filter),
    documents: index.documents,
    domain,
    feedback: env.FEEDBACK ? new KvFeedbackStore(env.FEEDBACK) : new LogFeedbackStore(logger),
    info: {
      ...assistant.info,
      runtime: 'workers',
      counts: { documents: documents.length, chunks: chunks.length, vectors },
      indexBuiltAt: bundle.builtAt,
      version: payload.version,
    },
    options: httpOptionsOf(config),
    logger,
    // Set by Cloudflare's edge on every request; a client cannot forge it.
    peerAddress: (request) => request.headers.get('cf-connecting-ip') ?? undefined,
    assets: { get: (name) => payload.assets[name] } satisfies WebAssets,
  };
  return createApp(deps);
}

import { OpenAIChatModel } from '../adapters/chat/openaiChatModel.js';
import { LogFeedbackStore } from '../adapters/feedback/logFeedbackStore.js';
import { KvFeedbackStore } from '../adapters/workers/kvFeedbackStore.js';
import { VectorizeStore } from '../adapters/workers/vectorizeStore.js';
import { WorkersAiChatModel } from '../adapters/workers/workersAiChatModel.js';
import { WorkersAiEmbedder } from '../adapters/workers/workersAiEmbedder.js';
import { ExtractiveAnswerer } from '../core/answer/extractive.js';
import { GenerativeAnswerer } from '../core/answer/generative.js';
import type { Answerer } from '../core/answer/types.js';
import { openCorpusBundle, vectorsMismatch, type CorpusBundle } from '../core/indexing/corpusBundle.js';
import { VocabularySegmenter } from '../core/lexical/vocabularySegmenter.js';
import type { ChatModel, Embedder } from '../core/ports.js';
import { CorpusIndex, vectorTextsOf } from '../core/retrieve/corpusIndex.js';
import { lexicalOnlyPipeline } from '../core/retrieve/lexicalOnly.js';
import { Retriever } from '../core/retrieve/retriever.js';
import { createApp, type YijuApp } from '../http/app.js';
import type { AppDeps } from '../http/deps.js';
import { jsonLogger, type Logger } from '../http/log.js';
import type { WebAssets } from '../http/routes/web.js';
import type { WorkerBindings } from './bindings.js';
import { WorkerConfigError, type WorkerConfig } from './config.js';

/** What `npm run build:worker` packs into the Worker. */
export interface WorkerPayload {
  bundle: CorpusBundle;
  assets: Record<string, string>;
  version: string;
}

interface Retrieval {
  retriever: Retriever;
  extractive: ExtractiveAnswerer;
  embedder: Embedder | null;
  counts: { documents: number; chunks: number; vectors: number };
}

/** Bundled: the packed BM25 index alone. Vectorize: the same, fused with Workers AI embeddings of the pushed corpus. */
function retrievalFor(config: WorkerConfig, env: WorkerBindings, bundle: CorpusBundle): Retrieval {
  const { documents, chunks, bm25 } = openCorpusBundle(bundle);
  const counts = { documents: documents.length, chunks: chunks.length, vectors: 0 };
  const vectorize = config.retrieval === 'vectorize' || (config.retrieval === 'auto' && env.AI && env.VECTORIZE);
  if (!vectorize) {
    const { retriever, answerer } = lexicalOnlyPipeline(documents, chunks, bm25);
    return { retriever, extractive: answerer, embedder: null, counts };
  }
  if (!env.AI || !env.VECTORIZE) throw new WorkerConfigError('YIJU_RETRIEVAL=vectorize needs the AI and VECTORIZE bindings in wrangler.toml');
  const embedder = new WorkersAiEmbedder(env.AI, { model: config.embeddingModel, dimensions: config.embeddingDimensions });
  // Never query vectors made by another model or from another corpus: the answers would be silently wrong.
  const mismatch = vectorsMismatch(bundle, embedder);
  if (mismatch) throw new WorkerConfigError(`Vectorize mode: ${mismatch}`);
  const ids = chunks.flatMap((c) => vectorTextsOf(c).map((v) => v.id));
  const index = new CorpusIndex(documents, chunks, bm25, new VectorizeStore(env.VECTORIZE, { ids }));
  const segmenter = new VocabularySegmenter(bm25.vocabulary());
  const retriever = new Retriever(index, embedder, segmenter);
  return { retriever, extractive: new ExtractiveAnswerer({ retriever, index, embedder, segmenter }), embedder, counts: { ...counts, vectors: ids.length } };
}

function chatFor(config: WorkerConfig, env: WorkerBindings): ChatModel | null {
  const { apiKey, chatModel, baseURL, timeoutMs, maxRetries } = config.openai;
  if (config.chat === 'openai' || (config.chat === 'auto' && apiKey && chatModel)) {
    return new OpenAIChatModel({ apiKey: apiKey!, model: chatModel!, baseURL, timeoutMs, maxRetries });
  }
  if (config.chat === 'workers-ai') {
    if (!env.AI) throw new WorkerConfigError('YIJU_CHAT=workers-ai needs the AI binding in wrangler.toml');
    return new WorkersAiChatModel(env.AI, { model: config.workersAiChatModel });
  }
  return null;
}

/**
 * The Workers composition root: bindings and variables → the same app the
 * Node server runs. Built once per isolate, on its first request.
 */
export function createWorkerApp(config: WorkerConfig, env: WorkerBindings, payload: WorkerPayload, logger: Logger = jsonLogger((l) => console.log(l), config.http.logLevel)): YijuApp {
  const { retriever, extractive, embedder, counts } = retrievalFor(config, env, payload.bundle);
  const chat = chatFor(config, env);
  const answerer: Answerer = chat ? new GenerativeAnswerer({ chat, extractive, embedder }) : extractive;
  const deps: AppDeps = {
    answerer,
    search: (q, k) => retriever.retrieve(q, k),
    documents: new Map(payload.bundle.documents.map((d) => [d.id, d])),
    feedback: env.FEEDBACK ? new KvFeedbackStore(env.FEEDBACK) : new LogFeedbackStore(logger),
    info: {
      answerMode: chat ? 'generative' : 'extractive',
      ...(chat ? { chatModel: chat.id } : {}),
      embedder: embedder?.id ?? 'none (bundled lexical index)',
      retrieval: embedder ? 'hybrid' : 'lexical',
      runtime: 'workers',
      counts,
      indexBuiltAt: payload.bundle.builtAt,
      version: payload.version,
    },
    options: config.http,
    logger,
    // Set by Cloudflare's edge on every request; a client cannot forge it.
    peerAddress: (request) => request.headers.get('cf-connecting-ip') ?? undefined,
    assets: { get: (name) => payload.assets[name] } satisfies WebAssets,
  };
  return createApp(deps);
}

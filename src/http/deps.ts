import type { AssistantInfo } from '../core/assistant.js';
import type { Answerer } from '../core/answer/types.js';
import type { Domain } from '../core/domain/pack.js';
import type { FeedbackStore } from '../core/feedback/types.js';
import type { Document, RetrievalFilter, RetrievalResult } from '../core/types.js';
import type { HttpOptions } from './options.js';
import type { Logger } from './log.js';
import type { WebAssets } from './routes/web.js';

/** What the HTTP app is told about the running assistant (for /api/health and /v1/models). */
/** How far a background index build is: its phase and passages done of total. */
export interface IndexingStatus {
  phase: 'chunk' | 'embed' | 'lexical';
  done: number;
  total: number;
}

export interface ServiceInfo extends AssistantInfo {
  runtime: 'node' | 'workers';
  counts: { documents: number; chunks: number; vectors: number };
  /** When the index was built (ISO 8601). */
  indexBuiltAt?: string;
  version: string;
  /** Corpus files that were not indexed, and why. */
  skipped?: { file: string; reason: string }[];
}

/**
 * The app's ports: everything it uses, passed in by a runtime entry (Node or
 * Workers). The app itself imports nothing runtime-specific.
 */
export interface AppDeps {
  answerer: Answerer;
  search(question: string, k: number, filter?: RetrievalFilter): Promise<RetrievalResult>;
  documents: ReadonlyMap<string, Document>;
  /** The corpus' domain: the words of the pages, the examples, the API description. */
  domain: Domain;
  feedback: FeedbackStore;
  info: ServiceInfo;
  options: HttpOptions;
  logger: Logger;
  /** The peer address of the connection (runtime-specific), for rate limiting and logs. */
  peerAddress?: (request: Request, env: unknown) => string | undefined;
  /** The chat page, viewer and widget bundles (absent: the API alone is served). */
  assets?: WebAssets;
  /** A background index build in progress (null or absent when there is none): shown by /api/health. */
  indexing?: () => IndexingStatus | null;
  /** Ids for answers and feedback (tests make them predictable). */
  newId?: () => string;
  now?: () => Date;
}

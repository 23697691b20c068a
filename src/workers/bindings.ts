import type { KvNamespaceBinding } from '../adapters/workers/kvFeedbackStore.js';
import type { VectorizeBinding } from '../adapters/workers/vectorizeStore.js';
import type { WorkersAiChatBinding } from '../adapters/workers/workersAiChatModel.js';
import type { WorkersAiBinding } from '../adapters/workers/workersAiEmbedder.js';

/**
 * What wrangler.toml may bind. All optional: with none, the Worker answers
 * from its bundled lexical index. String variables and secrets arrive here too.
 */
export interface WorkerBindings {
  /** Workers AI (`[ai] binding = "AI"`): embeddings for Vectorize mode, and chat with YIJU_CHAT=workers-ai. */
  AI?: WorkersAiBinding & WorkersAiChatBinding;
  /** The Vectorize index filled by `npm run push:vectorize`. */
  VECTORIZE?: VectorizeBinding;
  /** A KV namespace for feedback (without one, feedback goes to the logs). */
  FEEDBACK?: KvNamespaceBinding;
  [name: string]: unknown;
}

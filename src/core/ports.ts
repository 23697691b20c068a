/**
 * Ports: the small interfaces the core needs from the outside world.
 * Adapters (Node, Workers, OpenAI, hnswlib, jieba, ...) implement them.
 */

export type Vector = Float32Array | number[];

/** Turns text into vectors. `kind` lets models embed queries and passages differently. */
export interface Embedder {
  /** Stable identifier recorded in the index manifest, e.g. `local:Xenova/bge-small-zh-v1.5:q8`. */
  readonly id: string;
  readonly dimensions: number;
  embed(texts: string[], kind: 'query' | 'passage', onProgress?: (done: number) => void): Promise<Float32Array[]>;
}

export interface VectorHit {
  id: string;
  /** Cosine similarity (higher is better). */
  score: number;
}

/** Stores normalised vectors by string id and finds nearest neighbours. */
export interface VectorStore {
  readonly size: number;
  upsert(items: { id: string; vector: Vector }[]): void | Promise<void>;
  delete(ids: string[]): void | Promise<void>;
  search(query: Vector, k: number): VectorHit[] | Promise<VectorHit[]>;
  /** The stored vector of an id, when the store can return it (lets answers reuse sentence embeddings). */
  get?(id: string): Float32Array | undefined;
}

/** Splits text into lexical terms (words) for BM25. */
export interface Segmenter {
  /** Terms of a passage for indexing. */
  terms(text: string): string[];
  /** Terms of a query for searching. */
  queryTerms(text: string): string[];
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** How a chat model call failed; every ChatModel adapter raises these and nothing else. */
export type ChatFailure = 'timeout' | 'rate_limited' | 'upstream' | 'cancelled';

/** A failed chat model call. The answerers fall back to quoting the passages and say why. */
export class ChatModelError extends Error {
  override name = 'ChatModelError';
  constructor(
    readonly kind: ChatFailure,
    message: string,
    /** `status`: the HTTP status the endpoint answered, when it answered one. */
    readonly details: { status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
  }

  get status(): number | undefined {
    return this.details.status;
  }
}

/** No (complete) answer within the time allowed, or a stream that stalled. */
export class ChatTimeoutError extends ChatModelError {
  override name = 'ChatTimeoutError';
  constructor(message: string, cause?: unknown) {
    super('timeout', message, { cause });
  }
}

/** The endpoint refused for now (HTTP 429); `retryAfterMs` when it said how long to wait. */
export class ChatRateLimitedError extends ChatModelError {
  override name = 'ChatRateLimitedError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    cause?: unknown,
  ) {
    super('rate_limited', message, { status: 429, cause });
  }
}

/** The endpoint failed: an HTTP error, a broken or unreadable stream, a body that is not an answer. */
export class ChatUpstreamError extends ChatModelError {
  override name = 'ChatUpstreamError';
  constructor(message: string, details: { status?: number; cause?: unknown } = {}) {
    super('upstream', message, details);
  }
}

/** The caller aborted the call (the client went away). */
export class ChatCancelledError extends ChatModelError {
  override name = 'ChatCancelledError';
  constructor(message = 'the request was cancelled', cause?: unknown) {
    super('cancelled', message, { cause });
  }
}

/** A chat model (any OpenAI-compatible endpoint, Workers AI …). Calls fail with a ChatModelError. */
export interface ChatModel {
  readonly id: string;
  complete(messages: ChatMessage[], options?: { signal?: AbortSignal }): Promise<string>;
  /** Yields text pieces as they are generated. */
  stream(messages: ChatMessage[], options?: { signal?: AbortSignal }): AsyncIterable<string>;
}

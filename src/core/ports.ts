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

/** A chat model (any OpenAI-compatible endpoint, Workers AI …). */
export interface ChatModel {
  readonly id: string;
  complete(messages: ChatMessage[], options?: { signal?: AbortSignal }): Promise<string>;
  /** Yields text pieces as they are generated. */
  stream(messages: ChatMessage[], options?: { signal?: AbortSignal }): AsyncIterable<string>;
}

import type { Embedder } from '../../core/ports.js';

/**
 * The part of a Workers AI binding (`env.AI`) the embedder uses. Text
 * embedding models take `{ text: string[] }` and return `{ shape: [n, d], data: number[][] }`.
 */
export interface WorkersAiBinding {
  run(model: string, inputs: { text: string[] }): Promise<unknown>;
}

export interface WorkersAiEmbedderOptions {
  /** A Chinese-capable embedding model; bge-m3 is multilingual (1024 dimensions). */
  model?: string;
  dimensions?: number;
  /** Texts per request (Workers AI accepts up to 100). */
  batchSize?: number;
}

export class WorkersAiResponseError extends Error {
  override name = 'WorkersAiResponseError';
}

/** Embeddings from Workers AI through the `AI` binding, batched and L2-normalised. No key, no network code. */
export class WorkersAiEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly model: string;
  private readonly batchSize: number;

  constructor(
    private readonly ai: WorkersAiBinding,
    options: WorkersAiEmbedderOptions = {},
  ) {
    this.model = options.model ?? '@cf/baai/bge-m3';
    this.dimensions = options.dimensions ?? 1024;
    this.batchSize = Math.min(options.batchSize ?? 100, 100);
    this.id = `workers-ai:${this.model}`;
  }

  async embed(texts: string[], _kind: 'query' | 'passage', onProgress?: (done: number) => void): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const batch = texts.slice(i, i + this.batchSize);
      const res = (await this.ai.run(this.model, { text: batch })) as { shape?: unknown; data?: unknown };
      const data = res?.data;
      if (!Array.isArray(data) || data.length !== batch.length) {
        throw new WorkersAiResponseError(`Workers AI ${this.model} returned ${Array.isArray(data) ? data.length : 'no'} vectors for ${batch.length} texts`);
      }
      for (const row of data) {
        if (!Array.isArray(row) || row.length !== this.dimensions) {
          throw new WorkersAiResponseError(
            `Workers AI ${this.model} returned a vector of ${Array.isArray(row) ? row.length : '?'} dimensions; the index expects ${this.dimensions}`,
          );
        }
        out.push(normalise(row as number[]));
      }
      onProgress?.(out.length);
    }
    return out;
  }
}

function normalise(v: number[]): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Float32Array.from(v, (x) => x * s);
}

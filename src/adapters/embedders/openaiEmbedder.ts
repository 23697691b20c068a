import OpenAI from 'openai';
import type { Embedder } from '../../core/ports.js';
import { UserFacingError } from '../../core/errors.js';

export interface OpenAIEmbedderOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  /** Known output size; when omitted it is read from the first response (see `probe`). */
  dimensions?: number;
  batchSize?: number;
  timeoutMs?: number;
  maxRetries?: number;
  /** Optional instruction prepended to queries (some models, e.g. BGE served by vLLM, want one). */
  queryPrefix?: string;
}

/** Embeddings from any OpenAI-compatible endpoint (OpenAI, DashScope, vLLM, Ollama…), batched. */
export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  private client: OpenAI;
  private dims: number;

  constructor(private readonly options: OpenAIEmbedderOptions) {
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      timeout: options.timeoutMs ?? 30_000,
      maxRetries: options.maxRetries ?? 2,
    });
    this.dims = options.dimensions ?? 0;
    this.id = `openai:${options.baseURL ?? 'https://api.openai.com/v1'}:${options.model}`;
  }

  get dimensions(): number {
    return this.dims;
  }

  /** Learns the model's output size with one tiny request when it was not configured. */
  async probe(): Promise<this> {
    if (!this.dims) await this.embed(['维度'], 'passage');
    return this;
  }

  async embed(texts: string[], kind: 'query' | 'passage', onProgress?: (done: number) => void): Promise<Float32Array[]> {
    const inputs = kind === 'query' && this.options.queryPrefix ? texts.map((t) => this.options.queryPrefix + t) : texts;
    const size = this.options.batchSize ?? 64;
    const out: Float32Array[] = [];
    for (let i = 0; i < inputs.length; i += size) {
      const batch = inputs.slice(i, i + size);
      const res = await this.client.embeddings.create({
        model: this.options.model,
        input: batch,
        encoding_format: 'float',
        ...(this.options.dimensions ? { dimensions: this.options.dimensions } : {}),
      });
      const rows = [...res.data].sort((a, b) => a.index - b.index);
      if (rows.length !== batch.length) throw new Error(`embedding endpoint returned ${rows.length} vectors for ${batch.length} inputs`);
      for (const row of rows) {
        if (this.dims && row.embedding.length !== this.dims) {
          throw new UserFacingError(
            `The embedding endpoint returned ${row.embedding.length}-dimensional vectors, but ${this.dims} were expected.`,
            'set YIJU_EMBEDDING_DIMENSIONS to what the model produces (or unset it), then rebuild the index.',
          );
        }
        out.push(normalise(Float32Array.from(row.embedding)));
      }
      if (!this.dims) this.dims = out[0]!.length;
      onProgress?.(out.length);
    }
    return out;
  }
}

function normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const n = Math.sqrt(sum) || 1;
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return v;
}

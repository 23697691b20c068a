import type { VectorizeBinding } from '../../src/adapters/workers/vectorizeStore.js';
import type { WorkersAiBinding } from '../../src/adapters/workers/workersAiEmbedder.js';

/**
 * In-memory stand-ins for Cloudflare bindings that follow their documented
 * request and response shapes and limits, so the adapters are tested against
 * the contract (not against themselves):
 * - Vectorize v2: `upsert([{id, values}])` and `deleteByIds(ids)` → `{ mutationId }`; ids of at most 64 bytes;
 *   `query(vector, { topK, returnValues, returnMetadata })` → `{ count, matches: [{ id, score }] }`, cosine,
 *   topK at most 100 without values/metadata (20 with them).
 * - Workers AI text embeddings: `run(model, { text: string[] })` → `{ shape: [n, d], data: number[][] }`,
 *   at most 100 texts per call.
 */
export class FakeVectorize implements VectorizeBinding {
  readonly vectors = new Map<string, number[]>();
  readonly calls: { op: string; size: number }[] = [];
  private mutation = 0;

  async upsert(vectors: { id: string; values: number[] }[]) {
    this.calls.push({ op: 'upsert', size: vectors.length });
    for (const v of vectors) {
      if (new TextEncoder().encode(v.id).length > 64) throw new Error(`VECTOR_UPSERT_ERROR (code = 40008): id too long (${v.id})`);
      this.vectors.set(v.id, [...v.values]);
    }
    return { mutationId: `m${++this.mutation}` };
  }

  async deleteByIds(ids: string[]) {
    this.calls.push({ op: 'delete', size: ids.length });
    for (const id of ids) this.vectors.delete(id);
    return { mutationId: `m${++this.mutation}` };
  }

  async query(vector: number[], options: { topK: number; returnValues?: boolean; returnMetadata?: 'none' | 'indexed' | 'all' }) {
    this.calls.push({ op: 'query', size: options.topK });
    const max = options.returnValues || (options.returnMetadata && options.returnMetadata !== 'none') ? 20 : 100;
    if (options.topK > max) throw new Error(`VECTOR_QUERY_ERROR (code = 40025): topK must be at most ${max}`);
    const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
    const q = norm(vector);
    const matches = [...this.vectors]
      .map(([id, v]) => ({ id, score: v.reduce((s, x, i) => s + x * vector[i]!, 0) / (q * norm(v)) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, options.topK);
    return { count: matches.length, matches };
  }
}

export class FakeWorkersAi implements WorkersAiBinding {
  readonly calls: { model: string; texts: number }[] = [];

  constructor(
    private readonly dimensions = 1024,
    private readonly reply?: (texts: string[]) => unknown,
  ) {}

  async run(model: string, inputs: { text: string[] }) {
    this.calls.push({ model, texts: inputs.text.length });
    if (inputs.text.length > 100) throw new Error('AiError: 5006: too many inputs (max 100)');
    if (this.reply) return this.reply(inputs.text);
    // A deterministic, unnormalised vector per text: the character codes folded into the dimensions.
    const data = inputs.text.map((t) => {
      const v = new Array<number>(this.dimensions).fill(0.01);
      [...t].forEach((ch, i) => (v[(ch.codePointAt(0)! + i) % this.dimensions]! += 1));
      return v;
    });
    return { shape: [data.length, this.dimensions], data };
  }
}

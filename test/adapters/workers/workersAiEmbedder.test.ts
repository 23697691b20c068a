import { describe, expect, it } from 'vitest';
import { WorkersAiEmbedder, WorkersAiResponseError } from '../../../src/adapters/workers/workersAiEmbedder.js';
import { FakeWorkersAi } from '../../helpers/workersFakes.js';

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('WorkersAiEmbedder (Workers AI `AI` binding)', () => {
  it('defaults to bge-m3 with 1024 dimensions and names itself by the model', () => {
    const e = new WorkersAiEmbedder(new FakeWorkersAi());
    expect(e.id).toBe('workers-ai:@cf/baai/bge-m3');
    expect(e.dimensions).toBe(1024);
  });

  it('sends at most 100 texts per call, keeps their order, reports progress and returns unit vectors', async () => {
    const ai = new FakeWorkersAi(16);
    const e = new WorkersAiEmbedder(ai, { dimensions: 16 });
    const texts = Array.from({ length: 230 }, (_, i) => `信访事项${i}`);
    const progress: number[] = [];
    const vectors = await e.embed(texts, 'passage', (n) => progress.push(n));
    expect(ai.calls.map((c) => c.texts)).toEqual([100, 100, 30]);
    expect(ai.calls.every((c) => c.model === '@cf/baai/bge-m3')).toBe(true);
    expect(progress).toEqual([100, 200, 230]);
    expect(vectors).toHaveLength(230);
    for (const v of vectors) expect(norm(v)).toBeCloseTo(1, 5);
    // Order: each text's vector is the one the binding computed for it.
    const again = await e.embed([texts[150]!], 'query');
    expect(Array.from(again[0]!)).toEqual(Array.from(vectors[150]!));
  });

  it('uses the configured model and batch size (capped at 100)', async () => {
    const ai = new FakeWorkersAi(8);
    await new WorkersAiEmbedder(ai, { model: '@cf/baai/bge-base-en-v1.5', dimensions: 8, batchSize: 7 }).embed(Array(15).fill('x'), 'passage');
    expect(ai.calls).toEqual([
      { model: '@cf/baai/bge-base-en-v1.5', texts: 7 },
      { model: '@cf/baai/bge-base-en-v1.5', texts: 7 },
      { model: '@cf/baai/bge-base-en-v1.5', texts: 1 },
    ]);
    const capped = new FakeWorkersAi(8);
    await new WorkersAiEmbedder(capped, { dimensions: 8, batchSize: 500 }).embed(Array(150).fill('x'), 'passage');
    expect(capped.calls.map((c) => c.texts)).toEqual([100, 50]);
  });

  it('rejects a response with the wrong number of vectors or the wrong size, naming the problem', async () => {
    const short = new WorkersAiEmbedder(new FakeWorkersAi(4, () => ({ shape: [1, 4], data: [[1, 0, 0, 0]] })), { dimensions: 4 });
    await expect(short.embed(['a', 'b'], 'passage')).rejects.toThrow(WorkersAiResponseError);
    await expect(short.embed(['a', 'b'], 'passage')).rejects.toThrow(/returned 1 vectors for 2 texts/u);
    const wide = new WorkersAiEmbedder(new FakeWorkersAi(4, (t) => ({ shape: [t.length, 3], data: t.map(() => [1, 2, 3]) })), { dimensions: 4 });
    await expect(wide.embed(['a'], 'passage')).rejects.toThrow(/3 dimensions; the index expects 4/u);
    const garbage = new WorkersAiEmbedder(new FakeWorkersAi(4, () => ({ response: 'no' })), { dimensions: 4 });
    await expect(garbage.embed(['a'], 'passage')).rejects.toThrow(/returned no vectors/u);
  });
});

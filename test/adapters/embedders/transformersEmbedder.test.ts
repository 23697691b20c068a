import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransformersEmbedder } from '../../../src/adapters/embedders/transformersEmbedder.js';
import { BGE_SMALL_ZH } from '../../../src/adapters/models/bgeSmallZh.js';
import { ModelUnavailableError } from '../../../src/adapters/models/errors.js';
import { provisionModel } from '../../../src/adapters/models/provision.js';
import { makeTempDir } from '../../helpers/corpus.js';
import { dot } from '../../helpers/fakeEmbedder.js';
import { sharedModelDir } from '../../helpers/model.js';

const FIRST_VISIT_PASSAGE = '要高度重视初信初访，把初信初访作为化解矛盾的第一道防线，做到件件有着落、事事有回音。';
const UNRELATED_PASSAGE = '今年全县粮食播种面积稳定，农业机械化水平明显提高，秋收工作进展顺利。';
const FIRST_VISIT_QUERY = '怎样处理群众的初信初访？';

let embedder: TransformersEmbedder;
let tmp: { dir: string; cleanup: () => void };

beforeAll(async () => {
  tmp = makeTempDir('yiju-model-');
  // The model comes from the configured folder (YIJU_MODEL_DIR), verified, never from the network.
  const model = await provisionModel({ modelDir: sharedModelDir(), cacheDir: join(tmp.dir, 'cache'), allowRemote: false });
  expect(model).toEqual({ source: 'configured', dir: sharedModelDir() });
  embedder = await TransformersEmbedder.load({ model, threads: 2 });
}, 120_000);
afterAll(() => tmp?.cleanup());

describe('TransformersEmbedder with bge-small-zh-v1.5', () => {
  it('identifies itself by model and precision, with 512 dimensions', () => {
    expect(embedder.id).toBe(`local:${BGE_SMALL_ZH.hubId}:q8`);
    expect(embedder.dimensions).toBe(512);
  });

  it('gives one 512-dimensional unit vector per text', async () => {
    const texts = [FIRST_VISIT_PASSAGE, UNRELATED_PASSAGE, '信访', 'Petition work'];
    const vectors = await embedder.embed(texts, 'passage');
    expect(vectors).toHaveLength(texts.length);
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(512);
      expect(Math.sqrt(dot(v, v))).toBeCloseTo(1, 4);
      expect(v.every(Number.isFinite)).toBe(true);
    }
  });

  it('puts a query about 初信初访 closer to a passage about 初信初访 than to an unrelated one', async () => {
    const [q] = await embedder.embed([FIRST_VISIT_QUERY], 'query');
    const [related, unrelated] = await embedder.embed([FIRST_VISIT_PASSAGE, UNRELATED_PASSAGE], 'passage');
    const sRelated = dot(q!, related!);
    const sUnrelated = dot(q!, unrelated!);
    expect(sRelated).toBeGreaterThan(sUnrelated + 0.1);
    expect(sRelated).toBeGreaterThan(0.5);
  });

  it('embeds queries differently from passages: queries get the BGE instruction prefix', async () => {
    // One text per call: with int8 dynamic quantisation, batch composition slightly changes the vectors.
    const [asQuery] = await embedder.embed([FIRST_VISIT_QUERY], 'query');
    const [asPassage] = await embedder.embed([FIRST_VISIT_QUERY], 'passage');
    const [prefixedPassage] = await embedder.embed([BGE_SMALL_ZH.queryPrefix + FIRST_VISIT_QUERY], 'passage');
    expect(dot(asQuery!, asPassage!)).toBeLessThan(0.99);
    expect(dot(asQuery!, prefixedPassage!)).toBeCloseTo(1, 5);
  });

  it('is deterministic', async () => {
    const texts = [FIRST_VISIT_PASSAGE, UNRELATED_PASSAGE, FIRST_VISIT_QUERY];
    const a = await embedder.embed(texts, 'passage');
    const b = await embedder.embed(texts, 'passage');
    expect(b.map((v) => Array.from(v))).toEqual(a.map((v) => Array.from(v)));
  });

  it('batching changes a vector only slightly and keeps the order', async () => {
    const texts = Array.from({ length: 20 }, (_, i) => `第${i + 1}条：${i % 2 ? FIRST_VISIT_PASSAGE : UNRELATED_PASSAGE.slice(0, 10 + i)}`);
    const progress: number[] = [];
    const batched = await embedder.embed(texts, 'passage', (done) => progress.push(done));
    expect(progress.at(-1)).toBe(texts.length);
    for (const i of [0, 7, 19]) {
      const [alone] = await embedder.embed([texts[i]!], 'passage');
      // Same text: nearly identical (int8 dynamic quantisation depends a little on the batch)…
      expect(dot(alone!, batched[i]!)).toBeGreaterThan(0.98);
      // …and closer to its own batched vector than to any other text's.
      const others = batched.filter((_, j) => j !== i && texts[j] !== texts[i]).map((v) => dot(alone!, v));
      expect(dot(alone!, batched[i]!)).toBeGreaterThan(Math.max(...others));
    }
  });

  it('returns nothing for no texts', async () => {
    expect(await embedder.embed([], 'passage')).toEqual([]);
  });
});

describe('TransformersEmbedder.load errors', () => {
  it('a folder without a usable model → ModelUnavailableError naming the fix', async () => {
    const dir = join(tmp.dir, 'empty', BGE_SMALL_ZH.folder);
    mkdirSync(dir, { recursive: true });
    const error = await TransformersEmbedder.load({ model: { source: 'configured', dir } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).toMatch(/YIJU_MODEL_DIR/u);
  });
});

import { existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../../src/core/errors.js';
import { JiebaSegmenter } from '../../../src/adapters/segmenters/jieba.js';
import { IndexCorruptError, IndexStore } from '../../../src/adapters/storage/indexStore.js';
import { HnswVectorStore } from '../../../src/adapters/vectorstores/hnswStore.js';
import { Chunker } from '../../../src/core/chunk/chunker.js';
import { buildIndex, type BuildResult } from '../../../src/core/indexing/buildIndex.js';
import type { Document } from '../../../src/core/types.js';
import { corpusDocument, makeTempDir } from '../../helpers/corpus.js';
import { FakeEmbedder } from '../../helpers/fakeEmbedder.js';
import { corpusDomain } from '../../helpers/domain.js';

const FIX = 'npm run index -- --rebuild';
const segmenter = new JiebaSegmenter(corpusDomain().terms);
let tmp: { dir: string; cleanup: () => void };
let store: IndexStore;
let documents: Document[];
let built: BuildResult;
let vectors: HnswVectorStore;
const embedder = new FakeEmbedder();

beforeEach(async () => {
  tmp = makeTempDir('yiju-store-');
  store = new IndexStore(join(tmp.dir, 'index'));
  documents = [corpusDocument('000'), corpusDocument('002')];
  vectors = new HnswVectorStore(embedder.dimensions);
  built = await buildIndex({ documents, chunker: new Chunker(), embedder, segmenter, vectors });
  store.save(built.manifest, documents, built.chunks, built.index.bm25, vectors);
});
afterEach(() => tmp.cleanup());

function expectCorrupt(fn: () => unknown, detail: RegExp) {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(IndexCorruptError);
  expect(error).toBeInstanceOf(UserFacingError);
  const message = (error as Error).message;
  expect(message).toMatch(detail);
  expect(message).toContain(store.dir);
  expect(message).toContain(FIX);
}

describe('IndexStore save/load', () => {
  it('round-trips manifest, documents, chunks, the lexical index and the vectors', () => {
    const loaded = store.load()!;
    expect(loaded).not.toBeNull();
    expect(loaded.manifest).toEqual(built.manifest);
    expect(loaded.documents).toEqual(documents);
    expect(loaded.chunks).toEqual(built.chunks);
    expect(loaded.vectors.size).toBe(built.manifest.counts.vectors);
    for (const q of [['信访'], ['初信初访', '化解'], ['联席会议']]) expect(loaded.index.bm25.search(q)).toEqual(built.index.bm25.search(q));
    const qv = embedder.vector('信访工作责任');
    expect(loaded.vectors.search(qv, 20)).toEqual(vectors.search(qv, 20));
    expect([...loaded.index.chunks.keys()]).toEqual([...built.index.chunks.keys()]);
  });

  it('leaves no temporary files behind and records file sizes in the manifest', () => {
    const names = readdirSync(store.dir).sort();
    expect(names).toEqual(['bm25.json', 'chunks.json', 'documents.json', 'manifest.json', 'vectors.hnsw', 'vectors.hnsw.labels.json']);
    const manifest = store.readManifest()!;
    for (const [name, size] of Object.entries(manifest.files)) expect(statSync(join(store.dir, name)).size).toBe(size);
  });

  it('has no index before saving, and none after clear()', () => {
    const empty = new IndexStore(join(tmp.dir, 'other'));
    expect(empty.exists).toBe(false);
    expect(empty.readManifest()).toBeNull();
    expect(empty.load()).toBeNull();
    expect(store.exists).toBe(true);
    store.clear();
    expect(store.exists).toBe(false);
    expect(store.load()).toBeNull();
  });

  it('saving again replaces the previous index', () => {
    const fewer = [documents[0]!];
    const v2 = new HnswVectorStore(embedder.dimensions);
    return buildIndex({ documents: fewer, chunker: new Chunker(), embedder, segmenter, vectors: v2 }).then((b) => {
      store.save(b.manifest, fewer, b.chunks, b.index.bm25, v2);
      const loaded = store.load()!;
      expect(loaded.documents.map((d) => d.id)).toEqual([documents[0]!.id]);
      expect(loaded.vectors.size).toBe(b.manifest.counts.vectors);
    });
  });
});

describe('IndexStore.load detects damage', () => {
  it('truncated vectors.hnsw', () => {
    const path = join(store.dir, 'vectors.hnsw');
    truncateSync(path, Math.floor(statSync(path).size / 2));
    expectCorrupt(() => store.load(), /vectors\.hnsw/u);
  });

  it('deleted chunks.json', () => {
    rmSync(join(store.dir, 'chunks.json'));
    expectCorrupt(() => store.load(), /chunks\.json is missing/u);
  });

  it('garbage manifest.json', () => {
    writeFileSync(join(store.dir, 'manifest.json'), '\u0000\u0001 not json at all');
    expectCorrupt(() => store.load(), /manifest\.json/u);
  });

  it('truncated manifest.json', () => {
    const path = join(store.dir, 'manifest.json');
    writeFileSync(path, readFileSync(path, 'utf8').slice(0, 40));
    expectCorrupt(() => store.load(), /manifest\.json/u);
  });

  it('a manifest.json that is JSON but not a manifest', () => {
    for (const garbage of ['{}', '[]', '"manifest"', '{"schema": 2, "files": {}}']) {
      writeFileSync(join(store.dir, 'manifest.json'), garbage);
      expectCorrupt(() => store.load(), /manifest/u);
    }
  });

  it('garbage of the right size in chunks.json', () => {
    const path = join(store.dir, 'chunks.json');
    writeFileSync(path, 'x'.repeat(statSync(path).size));
    expectCorrupt(() => store.load(), /chunks\.json/u);
  });

  it('garbage of the right size in the vector labels', () => {
    const path = join(store.dir, 'vectors.hnsw.labels.json');
    writeFileSync(path, '{'.repeat(statSync(path).size));
    expectCorrupt(() => store.load(), /labels/u);
  });

  it('a vector count that differs from the manifest', () => {
    const path = join(store.dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { counts: { vectors: number } };
    manifest.counts.vectors += 1;
    writeFileSync(path, JSON.stringify(manifest));
    expectCorrupt(() => store.load(), /vectors/u);
  });

  it('does not report damage for a missing folder', () => {
    expect(existsSync(join(tmp.dir, 'nowhere'))).toBe(false);
    expect(new IndexStore(join(tmp.dir, 'nowhere')).load()).toBeNull();
  });
});

import { cpSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JiebaSegmenter } from '../../src/adapters/segmenters/jieba.js';
import { IndexCorruptError, IndexStore } from '../../src/adapters/storage/indexStore.js';
import { loadConfig, type Config } from '../../src/node/config.js';
import { Chunker } from '../../src/core/chunk/chunker.js';
import { documentId } from '../../src/core/ingest/document.js';
import type { Embedder } from '../../src/core/ports.js';
import { parseVectorId } from '../../src/core/retrieve/corpusIndex.js';
import { Retriever, type RetrievalMode } from '../../src/core/retrieve/retriever.js';
import { indexDir, openIndex, type OpenedIndex } from '../../src/node/openIndex.js';
import { CORPUS_DIR, copyCorpus, corpusFile, makeTempDir } from '../helpers/corpus.js';
import { FakeEmbedder } from '../helpers/fakeEmbedder.js';
import { corpusDomain } from '../helpers/domain.js';

const segmenter = new JiebaSegmenter(corpusDomain().terms);
const QUERIES = ['信访工作责任要落实', '初信初访', '联席会议制度', '属地管理，分级负责', '进京越级访'];

let tmp: { dir: string; cleanup: () => void };
let corpusDir: string;
let config: Config;

beforeEach(() => {
  tmp = makeTempDir('yiju-open-');
  corpusDir = copyCorpus(tmp.dir, ['000', '001', '002']);
  config = loadConfig({ YIJU_CORPUS_DIR: 'corpus', YIJU_DATA_DIR: 'data' }, tmp.dir);
});
afterEach(() => tmp.cleanup());

const open = (embedder: Embedder, extra: { rebuild?: boolean; config?: Config; log?: (l: string) => void } = {}) => {
  const cfg = extra.config ?? config;
  return openIndex(cfg, {
    embedder,
    segmenter,
    chunker: new Chunker({ chunkSize: cfg.chunkSize }),
    domain: corpusDomain(),
    rebuild: extra.rebuild,
    log: extra.log,
  });
};

async function results(opened: OpenedIndex, embedder: Embedder, mode: RetrievalMode = 'hybrid') {
  const retriever = new Retriever(opened.index, embedder, segmenter, { mode });
  const out = [];
  for (const q of QUERIES) out.push((await retriever.retrieve(q, 5)).passages.map((p) => ({ chunkId: p.chunkId, score: p.score, text: p.text })));
  return out;
}

/** Every vector in the store belongs to a chunk of the index, and the counts agree. */
function expectConsistent(opened: OpenedIndex, embedder: FakeEmbedder) {
  expect(opened.index.vectors.size).toBe(opened.manifest.counts.vectors);
  expect(opened.index.expectedVectorCount).toBe(opened.manifest.counts.vectors);
  const hits = opened.index.vectors.search(embedder.vector('信访工作'), 100_000) as { id: string }[];
  expect(hits).toHaveLength(opened.manifest.counts.vectors);
  for (const h of hits) expect(opened.index.chunks.has(parseVectorId(h.id).chunkId)).toBe(true);
  for (const c of opened.index.chunks.values()) expect(c.text).toBe(opened.index.documents.get(c.docId)!.text.slice(c.start, c.end));
}

const editFile = (prefix: string, addition: string) => {
  const path = join(corpusDir, corpusFile(prefix));
  writeFileSync(path, `${readFileSync(path, 'utf8')}\n${addition}\n`);
};
const idOf = (prefix: string) => documentId(corpusFile(prefix));

describe('openIndex: first build and reopening', () => {
  it('config paths are resolved against the given cwd', () => {
    expect(config.corpusDir).toBe(corpusDir);
    expect(config.dataDir).toBe(join(tmp.dir, 'data'));
    expect(indexDir(config)).toBe(join(tmp.dir, 'data', 'index'));
  });

  it('builds an index when there is none and stores it in the data folder', async () => {
    const embedder = new FakeEmbedder();
    const opened = await open(embedder);
    expect(opened.reason).toBe('no index yet');
    expect(opened.build).not.toBeNull();
    expect(opened.build!.added.sort()).toEqual([idOf('000'), idOf('001'), idOf('002')].sort());
    expect(opened.manifest.counts.documents).toBe(3);
    expect(new IndexStore(indexDir(config)).exists).toBe(true);
    expect(embedder.passageTexts).toHaveLength(opened.manifest.counts.vectors);
    expectConsistent(opened, embedder);
  });

  it('reopening an unchanged corpus builds nothing, embeds nothing, and gives identical results', async () => {
    const first = await open(new FakeEmbedder());
    const before = await results(first, new FakeEmbedder());
    const embedder = new FakeEmbedder();
    const again = await open(embedder);
    expect(again.build).toBeNull();
    expect(again.reason).toBeNull();
    expect(embedder.calls).toEqual([]);
    expect(again.manifest).toEqual(first.manifest);
    expect(await results(again, embedder)).toEqual(before);
    expect(await results(again, embedder, 'dense')).toEqual(await results(first, embedder, 'dense'));
  });

  it('rebuild: true rebuilds even when the index is current', async () => {
    await open(new FakeEmbedder());
    const embedder = new FakeEmbedder();
    const opened = await open(embedder, { rebuild: true });
    expect(opened.reason).toBe('rebuild requested');
    expect(opened.build!.added).toHaveLength(3);
    expect(embedder.passageTexts).toHaveLength(opened.manifest.counts.vectors);
  });
});

describe('openIndex: corpus changes', () => {
  it('editing one file re-embeds only that document', async () => {
    const before = await open(new FakeEmbedder());
    editFile('001', '最后，我再强调一点：要把矛盾纠纷化解在萌芽状态，久久为功。');
    const embedder = new FakeEmbedder();
    const opened = await open(embedder);
    expect(opened.reason).toBe('corpus changed');
    expect(opened.build).toMatchObject({ changed: [idOf('001')], added: [], removed: [] });
    expect(opened.build!.unchanged.sort()).toEqual([idOf('000'), idOf('002')].sort());
    const edited = opened.index.documents.get(idOf('001'))!;
    expect(embedder.passageTexts.length).toBeGreaterThan(0);
    for (const t of embedder.passageTexts) expect(edited.text).toContain(t);
    // As many texts as the edited document has vectors in the store.
    const all = opened.index.vectors.search(embedder.vector('信访'), 100_000) as { id: string }[];
    const ofEdited = all.filter((h) => opened.index.chunks.get(parseVectorId(h.id).chunkId)?.docId === edited.id);
    expect(embedder.passageTexts).toHaveLength(ofEdited.length);
    for (const c of opened.index.chunks.values()) if (c.docId === edited.id) expect(embedder.passageTexts).toContain(c.text);
    // The other documents' chunks are untouched.
    for (const id of [idOf('000'), idOf('002')]) {
      expect([...opened.index.chunks.values()].filter((c) => c.docId === id)).toEqual([...before.index.chunks.values()].filter((c) => c.docId === id));
    }
    const hit = await new Retriever(opened.index, embedder, segmenter, { mode: 'lexical' }).retrieve('萌芽状态 久久为功');
    expect(hit.passages[0]!.docId).toBe(idOf('001'));
    expect(hit.passages[0]!.text).toContain('久久为功');
    expectConsistent(opened, embedder);
    // And the update was saved: reopening builds nothing.
    expect((await open(new FakeEmbedder())).build).toBeNull();
  });

  it('adding and removing files adds and removes their documents', async () => {
    await open(new FakeEmbedder());
    rmSync(join(corpusDir, corpusFile('000')));
    cpSync(join(CORPUS_DIR, corpusFile('004')), join(corpusDir, corpusFile('004')));
    const embedder = new FakeEmbedder();
    const opened = await open(embedder);
    expect(opened.build).toMatchObject({ added: [idOf('004')], removed: [idOf('000')], changed: [] });
    expect(opened.build!.unchanged.sort()).toEqual([idOf('001'), idOf('002')].sort());
    expect(opened.index.documents.has(idOf('000'))).toBe(false);
    expect([...opened.index.chunks.values()].some((c) => c.docId === idOf('000'))).toBe(false);
    const added = opened.index.documents.get(idOf('004'))!;
    for (const t of embedder.passageTexts) expect(added.text).toContain(t);
    expectConsistent(opened, embedder);
    const reopened = await open(new FakeEmbedder());
    expect(reopened.build).toBeNull();
    expect(await results(reopened, embedder)).toEqual(await results(opened, embedder));
  });

  it('stays consistent through a series of updates (remove one file, then edit another twice)', async () => {
    await open(new FakeEmbedder());
    rmSync(join(corpusDir, corpusFile('000')));
    const embedder = new FakeEmbedder();
    expectConsistent(await open(embedder), embedder);
    editFile('001', '第一次补充：要落实首问责任制。');
    expectConsistent(await open(embedder), embedder);
    editFile('001', '第二次补充：要落实首办责任制。');
    const opened = await open(embedder);
    expect(opened.build).toMatchObject({ changed: [idOf('001')] });
    expectConsistent(opened, embedder);
  });

  it('a changed watermark setting changes the documents it affects', async () => {
    await open(new FakeEmbedder());
    const withMark = loadConfig({ YIJU_CORPUS_DIR: 'corpus', YIJU_DATA_DIR: 'data', YIJU_WATERMARKS: '同志们' }, tmp.dir);
    const opened = await open(new FakeEmbedder(), { config: withMark });
    expect(opened.build!.changed.sort()).toEqual([idOf('000'), idOf('001'), idOf('002')].sort());
    for (const d of opened.index.documents.values()) expect(d.text).not.toContain('同志们');
  });
});

describe('openIndex: settings that invalidate the whole index', () => {
  it('another embedder id → full rebuild with a reason', async () => {
    await open(new FakeEmbedder({ id: 'fake:a' }));
    const embedder = new FakeEmbedder({ id: 'fake:b' });
    const opened = await open(embedder);
    expect(opened.reason).toMatch(/embedder changed \(fake:a → fake:b\)/u);
    expect(opened.build!.added).toHaveLength(3);
    expect(opened.build!.unchanged).toEqual([]);
    expect(opened.manifest.embedder.id).toBe('fake:b');
    expect(embedder.passageTexts).toHaveLength(opened.manifest.counts.vectors);
  });

  it('other embedding dimensions → full rebuild with a reason', async () => {
    await open(new FakeEmbedder({ id: 'fake', dimensions: 32 }));
    const embedder = new FakeEmbedder({ id: 'fake', dimensions: 48 });
    const opened = await open(embedder);
    expect(opened.reason).toMatch(/embedding size changed \(32 → 48\)/u);
    expect(opened.build!.added).toHaveLength(3);
    expect(opened.index.vectors.search(embedder.vector('信访'), 1)).toHaveLength(1);
    expectConsistent(opened, embedder);
  });

  it('another chunk size → full rebuild with a reason', async () => {
    await open(new FakeEmbedder());
    const bigger = loadConfig({ YIJU_CORPUS_DIR: 'corpus', YIJU_DATA_DIR: 'data', YIJU_CHUNK_SIZE: '500' }, tmp.dir);
    const opened = await open(new FakeEmbedder(), { config: bigger });
    expect(opened.reason).toMatch(/chunking settings changed/u);
    expect(opened.manifest.chunking.chunkSize).toBe(500);
    expect(opened.build!.added).toHaveLength(3);
  });
});

describe('openIndex: a damaged index is rebuilt, never served', () => {
  const damage: [string, (dir: string) => void][] = [
    ['truncated vectors.hnsw', (dir) => truncateSync(join(dir, 'vectors.hnsw'), Math.floor(statSync(join(dir, 'vectors.hnsw')).size / 3))],
    ['deleted chunks.json', (dir) => rmSync(join(dir, 'chunks.json'))],
    ['garbage manifest.json', (dir) => writeFileSync(join(dir, 'manifest.json'), 'garbage{{{')],
    ['manifest.json that is JSON but not a manifest', (dir) => writeFileSync(join(dir, 'manifest.json'), '{}')],
  ];

  it.each(damage)('%s: IndexStore.load() throws IndexCorruptError naming the fix', async (_name, corrupt) => {
    await open(new FakeEmbedder());
    corrupt(indexDir(config));
    const store = new IndexStore(indexDir(config));
    expect(() => store.load()).toThrow(IndexCorruptError);
    expect(() => store.load()).toThrow(/damaged.*\n.*npm run index -- --rebuild/u);
  });

  it.each(damage)('%s: openIndex rebuilds instead of serving a wrong index', async (_name, corrupt) => {
    const embedder = new FakeEmbedder();
    const pristine = await open(embedder);
    const expected = await results(pristine, embedder);
    corrupt(indexDir(config));

    const logs: string[] = [];
    const rebuiltWith = new FakeEmbedder();
    const opened = await open(rebuiltWith, { log: (l) => logs.push(l) });
    expect(opened.build).not.toBeNull();
    expect(opened.reason).toMatch(/damaged/u);
    expect(logs.join('\n')).toMatch(/damaged/u);
    expect(rebuiltWith.passageTexts).toHaveLength(opened.manifest.counts.vectors);
    expect(await results(opened, embedder)).toEqual(expected);
    expect(new IndexStore(indexDir(config)).load()).not.toBeNull();
  });
});

describe('openIndex: corpus problems are reported, not indexed', () => {
  it('a missing corpus folder is a user-facing error naming YIJU_CORPUS_DIR', async () => {
    const cfg = loadConfig({ YIJU_CORPUS_DIR: 'nope', YIJU_DATA_DIR: 'data' }, tmp.dir);
    await expect(open(new FakeEmbedder(), { config: cfg })).rejects.toThrow(/YIJU_CORPUS_DIR/u);
  });
});

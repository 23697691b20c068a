import { describe, expect, it } from 'vitest';
import { JiebaSegmenter } from '../../../src/adapters/segmenters/jieba.js';
import { ExactVectorStore } from '../../../src/adapters/vectorstores/exactStore.js';
import { Chunker } from '../../../src/core/chunk/chunker.js';
import { buildIndex, corpusHash, incompatibility, INDEX_SCHEMA, type BuildProgress } from '../../../src/core/indexing/buildIndex.js';
import { buildDocument } from '../../../src/core/ingest/document.js';
import { chunkVectorId, parseVectorId, sentenceVectorId } from '../../../src/core/retrieve/corpusIndex.js';
import type { Document } from '../../../src/core/types.js';
import { corpusDocument } from '../../helpers/corpus.js';
import { FakeEmbedder } from '../../helpers/fakeEmbedder.js';
import { corpusDomain } from '../../helpers/domain.js';

const segmenter = new JiebaSegmenter(corpusDomain().terms);
const chunker = new Chunker({ chunkSize: 200 });

async function build(
  documents: Document[],
  embedder = new FakeEmbedder(),
  vectors = new ExactVectorStore(embedder.dimensions),
  extra: Partial<Parameters<typeof buildIndex>[0]> = {},
) {
  const result = await buildIndex({ documents, chunker, embedder, segmenter, vectors, ...extra });
  return { result, embedder, vectors };
}

describe('buildIndex from scratch', () => {
  it('embeds every chunk and every sentence, only text from the documents, as passages, in batches of at most 64', async () => {
    const docs = [corpusDocument('000'), corpusDocument('002')];
    const { result, embedder, vectors } = await build(docs);
    const embedded = embedder.passageTexts;
    const docText = (id: string) => docs.find((d) => d.id === id)!.text;
    for (const c of result.chunks) {
      expect(embedded).toContain(c.text);
      for (const s of c.sentences) expect(embedded).toContain(docText(c.docId).slice(s.start, s.end));
    }
    for (const t of embedded) expect(docs.some((d) => d.text.includes(t))).toBe(true);
    expect(embedder.calls.every((c) => c.kind === 'passage' && c.texts.length <= 64)).toBe(true);
    // One vector per embedded text; the manifest and the index agree.
    expect(vectors.size).toBe(embedded.length);
    expect(result.stats.embedded).toBe(embedded.length);
    expect(result.index.expectedVectorCount).toBe(embedded.length);
    expect(result.manifest.counts).toEqual({ documents: 2, chunks: result.chunks.length, vectors: embedded.length });
    // Every vector belongs to a chunk of the index.
    for (const h of vectors.search(embedder.vector('信访'), 100_000)) expect(result.index.chunks.has(parseVectorId(h.id).chunkId)).toBe(true);
  });

  it('stores each vector under its chunk or sentence id', async () => {
    const doc = corpusDocument('001');
    const { result, embedder, vectors } = await build([doc]);
    for (const c of result.chunks) {
      expect(Array.from(vectors.get(chunkVectorId(c.id))!)).toEqual(Array.from(embedder.vector(c.text)));
      c.sentences.forEach((s, j) => {
        expect(Array.from(vectors.get(sentenceVectorId(c.id, j))!)).toEqual(Array.from(embedder.vector(doc.text.slice(s.start, s.end))));
      });
    }
  });

  it('with embedTitle, passages (not sentences) are embedded with the title in front', async () => {
    const doc = corpusDocument('004');
    const { result, embedder } = await build([doc], undefined, undefined, { embedTitle: true });
    const titled = embedder.passageTexts.filter((t) => t.startsWith(`${doc.title}\n`));
    expect(titled.sort()).toEqual(result.chunks.map((c) => `${doc.title}\n${c.text}`).sort());
    for (const c of result.chunks) for (const s of c.sentences) expect(embedder.passageTexts).toContain(doc.text.slice(s.start, s.end));
    expect(result.manifest.chunking).toEqual({ chunkSize: 200, embedTitle: true });
  });

  it('indexes every chunk lexically and records the documents in the manifest', async () => {
    const docs = [corpusDocument('000'), corpusDocument('003')];
    const { result } = await build(docs);
    expect(result.index.bm25.size).toBe(result.chunks.length);
    expect(result.index.bm25.search(segmenter.queryTerms('三到位一处理'))[0]!.id.startsWith('000_')).toBe(true);
    expect(result.manifest.documents.map((d) => [d.id, d.hash, d.title])).toEqual(docs.map((d) => [d.id, d.hash, d.title]));
    expect(result.manifest.documents.reduce((a, d) => a + d.chunks, 0)).toBe(result.chunks.length);
    expect(result.manifest.schema).toBe(INDEX_SCHEMA);
    expect(result.manifest.corpusHash).toBe(corpusHash(docs));
    expect(result.stats.added).toEqual(docs.map((d) => d.id));
  });

  it('reports progress for each phase, ending at its total', async () => {
    const events: BuildProgress[] = [];
    await build([corpusDocument('000'), corpusDocument('001')], undefined, undefined, { onProgress: (p) => events.push(p) });
    for (const phase of ['chunk', 'embed', 'lexical'] as const) {
      const mine = events.filter((e) => e.phase === phase);
      expect(mine.length).toBeGreaterThan(0);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.done).toBeGreaterThanOrEqual(mine[i - 1]!.done);
      expect(mine.at(-1)!.done).toBe(mine.at(-1)!.total);
    }
  });
});

describe('buildIndex incrementally', () => {
  it('re-embeds only changed and added documents and deletes the vectors of removed ones', async () => {
    const [a, b, c] = [corpusDocument('000'), corpusDocument('001'), corpusDocument('002')];
    const first = await build([a, b, c]);
    const bEdited = buildDocument({ name: '001_0ef072b5e6e0e6d4.txt', raw: `${b.text}\n最后再强调一句，信访工作要久久为功。` });
    const d = corpusDocument('003');
    const embedder = new FakeEmbedder();
    const { result } = await build([a, bEdited, d], embedder, first.vectors, { previous: { manifest: first.result.manifest, chunks: first.result.chunks } });
    expect(result.stats).toMatchObject({ added: [d.id], changed: [b.id], removed: [c.id], unchanged: [a.id] });
    for (const t of embedder.passageTexts) expect(bEdited.text.includes(t) || d.text.includes(t)).toBe(true);
    expect(embedder.passageTexts.some((t) => t.includes('久久为功'))).toBe(true);
    expect(first.vectors.size).toBe(result.manifest.counts.vectors);
    const all = first.vectors.search(embedder.vector('信访'), 10_000).map((h) => h.id);
    expect(all.some((id) => id.includes(c.id))).toBe(false);
    expect(result.chunks.filter((ch) => ch.docId === a.id)).toEqual(first.result.chunks.filter((ch) => ch.docId === a.id));
  });
});

describe('incompatibility', () => {
  it('is null for the same settings and names what changed otherwise', async () => {
    const embedder = new FakeEmbedder({ dimensions: 32 });
    const { result } = await build([corpusDocument('002')], embedder);
    const m = result.manifest;
    expect(incompatibility(m, embedder, 200, false)).toBeNull();
    expect(incompatibility(m, new FakeEmbedder({ dimensions: 32, id: 'other' }), 200, false)).toMatch(/embedder changed/u);
    expect(incompatibility({ ...m, embedder: { ...m.embedder, dimensions: 16 } }, embedder, 200, false)).toMatch(/embedding size changed/u);
    expect(incompatibility(m, embedder, 300, false)).toMatch(/chunking/u);
    expect(incompatibility(m, embedder, 200, true)).toMatch(/chunking/u);
    expect(incompatibility({ ...m, schema: INDEX_SCHEMA - 1 }, embedder, 200, false)).toMatch(/format/u);
  });
});

describe('corpusHash', () => {
  it('does not depend on document order and changes when a document changes', () => {
    const docs = [corpusDocument('000'), corpusDocument('001')];
    expect(corpusHash(docs)).toBe(corpusHash([...docs].reverse()));
    const changed = { ...docs[0]!, hash: 'different' };
    expect(corpusHash([changed, docs[1]!])).not.toBe(corpusHash(docs));
    expect(corpusHash([docs[0]!])).not.toBe(corpusHash(docs));
  });
});

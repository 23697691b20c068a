import { beforeAll, describe, expect, it } from 'vitest';
import { JiebaSegmenter } from '../../../src/adapters/segmenters/jieba.js';
import { Chunker } from '../../../src/core/chunk/chunker.js';
import { buildCorpusBundle, BundleError, openCorpusBundle, type CorpusBundle } from '../../../src/core/indexing/corpusBundle.js';
import { corpusHash } from '../../../src/core/indexing/buildIndex.js';
import { corpusDocuments } from '../../helpers/corpus.js';
import { corpusDomain } from '../../helpers/domain.js';

let bundle: CorpusBundle;
const copy = () => structuredClone(bundle);

beforeAll(async () => {
  bundle = await buildCorpusBundle({
    documents: corpusDocuments(),
    chunker: new Chunker(),
    segmenter: new JiebaSegmenter(corpusDomain().terms),
    lexicon: 'test',
    now: new Date('2026-11-01T00:00:00Z'),
  });
});

describe('corpus bundle', () => {
  it('survives JSON: chunks come back with their exact text and the same lexical ranking', () => {
    const opened = openCorpusBundle(JSON.parse(JSON.stringify(bundle)) as CorpusBundle);
    expect(opened.documents.map((d) => d.id)).toEqual(bundle.documents.map((d) => d.id));
    expect(opened.chunks).toHaveLength(bundle.chunks.length);
    for (const c of opened.chunks) expect(c.text).toBe(opened.documents.find((d) => d.id === c.docId)!.text.slice(c.start, c.end));
    const terms = new JiebaSegmenter(corpusDomain().terms).queryTerms('初信初访怎么处理');
    expect(opened.bm25.search(terms, 3).map((h) => h.id)).toEqual(
      openCorpusBundle(bundle)
        .bm25.search(terms, 3)
        .map((h) => h.id),
    );
    expect(bundle).toMatchObject({
      schema: 2,
      corpusHash: corpusHash(bundle.documents),
      lexicon: 'test',
      chunking: { chunkSize: 300, embedTitle: false },
      builtAt: '2026-11-01T00:00:00.000Z',
    });
  });

  it('leaves chunk texts out (they are slices of their document)', () => {
    expect(bundle.chunks.every((c) => !('text' in c))).toBe(true);
  });

  it('refuses a bundle of another format, with the command that rebuilds it', () => {
    expect(() => openCorpusBundle({ ...copy(), schema: 99 })).toThrow(/format 99 ≠ 2; run npm run build:worker/u);
    expect(() => openCorpusBundle(undefined as unknown as CorpusBundle)).toThrow(BundleError);
  });

  it('refuses a bundle whose documents were edited after packing', () => {
    const b = copy();
    b.documents[0] = { ...b.documents[0]!, text: `${b.documents[0]!.text}改` };
    expect(() => openCorpusBundle(b)).toThrow(/do not match its corpus hash/u);
  });

  it('refuses chunks outside their document and a lexical index of another size', () => {
    const outside = copy();
    outside.chunks[0] = { ...outside.chunks[0]!, end: 10 ** 7 };
    expect(() => openCorpusBundle(outside)).toThrow(/lies outside its document/u);
    const unknownDoc = copy();
    unknownDoc.chunks[0] = { ...unknownDoc.chunks[0]!, docId: 'nope' };
    expect(() => openCorpusBundle(unknownDoc)).toThrow(BundleError);
    const short = copy();
    short.bm25 = { ...short.bm25, ids: short.bm25.ids.slice(1), lengths: short.bm25.lengths.slice(1) };
    expect(() => openCorpusBundle(short)).toThrow(/lexical entries for/u);
  });
});

import { describe, expect, it } from 'vitest';
import { Chunker, DEFAULT_CHUNK_SIZE } from '../../../src/core/chunk/chunker.js';
import { buildDocument } from '../../../src/core/ingest/document.js';
import type { Document } from '../../../src/core/types.js';
import { chunkViolations } from '../../helpers/chunks.js';
import { corpusDocuments } from '../../helpers/corpus.js';
import { randomChineseText } from '../../helpers/random.js';

const SIZES = [80, 150, DEFAULT_CHUNK_SIZE, 600];
const docOf = (text: string, id = 'd'): Document => ({ id, title: id, text, meta: {}, hash: id });
/** `n` distinct-looking Han characters that never repeat within 500 positions. */
const run = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(0x4e00 + ((i * 37) % 500))).join('');

describe('chunking the corpus', () => {
  const docs = corpusDocuments();

  it.each(SIZES)('every chunk of every document satisfies the invariants (chunkSize %i)', async (size) => {
    const chunker = new Chunker({ chunkSize: size });
    const violations: string[] = [];
    for (const doc of docs) violations.push(...chunkViolations(doc, await chunker.split(doc), size));
    expect(violations).toEqual([]);
  });

  it('chunk.text === doc.text.slice(chunk.start, chunk.end) for every chunk (default size)', async () => {
    const chunker = new Chunker();
    let n = 0;
    for (const doc of docs) {
      for (const c of await chunker.split(doc)) {
        expect(c.text).toBe(doc.text.slice(c.start, c.end));
        n++;
      }
    }
    expect(n).toBeGreaterThan(docs.length);
  });

  it('uses the size it is given: smaller chunks give more of them, mostly filled', async () => {
    const doc = docs[4]!;
    const small = await new Chunker({ chunkSize: 100 }).split(doc);
    const large = await new Chunker({ chunkSize: 500 }).split(doc);
    expect(small.length).toBeGreaterThan(large.length);
    const mean = small.reduce((a, c) => a + c.text.length, 0) / small.length;
    expect(mean).toBeGreaterThan(50);
  });

  it('prefers to end chunks at sentence or paragraph boundaries', async () => {
    let atBoundary = 0;
    let total = 0;
    for (const doc of docs) {
      const chunks = await new Chunker().split(doc);
      for (const c of chunks.slice(0, -1)) {
        total++;
        if (/[。！？；：”）\n]$/u.test(c.text) || doc.text[c.end] === '\n') atBoundary++;
      }
    }
    expect(atBoundary / total).toBeGreaterThan(0.9);
  });

  it('is deterministic', async () => {
    const doc = docs[0]!;
    expect(await new Chunker().split(doc)).toEqual(await new Chunker().split(doc));
  });

  it('with overlap, chunks still slice the text exactly, advance, and cover it', async () => {
    const chunker = new Chunker({ chunkSize: 200, chunkOverlap: 50 });
    const violations: string[] = [];
    for (const doc of docs) violations.push(...chunkViolations(doc, await chunker.split(doc), 200, { overlap: true }));
    expect(violations).toEqual([]);
  });
});

describe('chunking random documents', () => {
  const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);
  const docs = SEEDS.map((seed) => buildDocument({ name: `random-${seed}.txt`, raw: randomChineseText(seed, { length: 2500 }) }));

  it('the generator produces what it promises', () => {
    const all = docs.map((d) => d.text).join('\n');
    for (const ch of [...'。！？；，、“”（）\n ']) expect(all).toContain(ch);
    expect(all).toMatch(/[A-Za-z]{3,}/u);
    expect(all).toMatch(/[\u{20000}-\u{2FFFF}\u{1F600}]/u);
    // Some runs without any punctuation or line break are longer than every chunk size used.
    const longest = Math.max(...all.split(/[。！？；，、：“”（）\n!?;,…]/u).map((s) => s.length));
    expect(longest).toBeGreaterThan(Math.max(...SIZES));
    expect(randomChineseText(7, { length: 500 })).toBe(randomChineseText(7, { length: 500 }));
  });

  it.each(SIZES)('every chunk satisfies the invariants (chunkSize %i)', async (size) => {
    const chunker = new Chunker({ chunkSize: size });
    const failures: string[] = [];
    for (const [i, doc] of docs.entries()) {
      const v = chunkViolations(doc, await chunker.split(doc), size);
      if (v.length) failures.push(`seed ${SEEDS[i]}: ${v[0]}${v.length > 1 ? ` (+${v.length - 1} more)` : ''}`);
    }
    expect(failures).toEqual([]);
  });

  it.each(SIZES)('chunk.text === doc.text.slice(start, end) always holds (chunkSize %i)', async (size) => {
    const chunker = new Chunker({ chunkSize: size });
    for (const doc of docs) for (const c of await chunker.split(doc)) expect(c.text).toBe(doc.text.slice(c.start, c.end));
  });
});

describe('chunking edge cases', () => {
  it('a document shorter than the chunk size is one chunk', async () => {
    const doc = docOf('同志们：\n今天开会。');
    const chunks = await new Chunker().split(doc);
    expect(chunks.map((c) => [c.start, c.end])).toEqual([[0, doc.text.length]]);
    expect(chunks[0]!.sentences.map((s) => doc.text.slice(s.start, s.end))).toEqual(['同志们：', '今天开会。']);
  });

  it('an empty document has no chunks', async () => {
    expect(await new Chunker().split(docOf(''))).toEqual([]);
  });

  it('offsets count UTF-16 code units (characters outside the BMP)', async () => {
    const doc = docOf(`𠀀${'信访'.repeat(30)}。😀${'工作'.repeat(30)}。`);
    const chunks = await new Chunker({ chunkSize: 80 }).split(doc);
    expect(chunkViolations(doc, chunks, 80)).toEqual([]);
  });

  it('a closing quote split off after a long sentence is located where it is, not earlier', async () => {
    // The piece "”" also occurs inside the previous chunk; it must be placed after it.
    const doc = docOf(`${run(77)}省”。”\n下一段。`);
    const chunks = await new Chunker({ chunkSize: 80 }).split(doc);
    expect(chunkViolations(doc, chunks, 80)).toEqual([]);
    expect(chunks.map((c) => c.text)).toEqual([`${run(77)}省”。”`, '下一段。']);
  });

  it('repetitive text is chunked in order and covered completely', async () => {
    const doc = docOf('啊'.repeat(250));
    const chunks = await new Chunker({ chunkSize: 80 }).split(doc);
    expect(chunkViolations(doc, chunks, 80)).toEqual([]);
    expect(chunks.map((c) => [c.start, c.end])).toEqual([
      [0, 80],
      [80, 160],
      [160, 240],
      [240, 250],
    ]);
  });

  it('punctuation split off on its own does not start a chunk', async () => {
    // A sentence of exactly chunkSize characters: its "。" becomes a piece of its own, and the next piece starts with "……".
    const doc = docOf(`${run(80)}。……他说，好的。`);
    const chunks = await new Chunker({ chunkSize: 80 }).split(doc);
    expect(chunkViolations(doc, chunks, 80)).toEqual([]);
    expect(chunks.map((c) => c.text)).toEqual([`${run(80)}。……`, '他说，好的。']);
  });

  it('moves punctuation that would start a chunk to the end of the previous one', async () => {
    const doc = docOf(`${run(80)}。他说，好的。`);
    const chunks = await new Chunker({ chunkSize: 80 }).split(doc);
    expect(chunks.map((c) => c.text)).toEqual([`${run(80)}。`, '他说，好的。']);
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../../src/adapters/corpus/fsCorpus.js';
import { UserFacingError } from '../../../src/core/errors.js';
import { DEFAULT_WATERMARKS } from '../../../src/core/ingest/clean.js';
import { CORPUS_DIR, CORPUS_FILES, makeTempDir } from '../../helpers/corpus.js';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = makeTempDir('yiju-corpus-');
});
afterEach(() => tmp.cleanup());

describe('loadCorpus', () => {
  it('reads the five speeches, sorted by file name, cleaned', async () => {
    const { documents: docs, skipped } = await loadCorpus(CORPUS_DIR);
    expect(skipped).toEqual([]);
    expect(docs.map((d) => `${d.id}.txt`)).toEqual([...CORPUS_FILES]);
    for (const d of docs) expect(d.text).not.toContain('文秘资源网');
  });

  it('reads .txt, .md and .markdown files only, skipping hidden and empty ones', async () => {
    writeFileSync(join(tmp.dir, 'b.md'), '# 标题\n第二篇。');
    writeFileSync(join(tmp.dir, 'a.TXT'), '第一篇。');
    writeFileSync(join(tmp.dir, 'c.markdown'), '第三篇。');
    writeFileSync(join(tmp.dir, 'notes.docx'), '不是文本');
    writeFileSync(join(tmp.dir, '.hidden.txt'), '隐藏');
    writeFileSync(join(tmp.dir, 'empty.txt'), ' \n\u3000\n');
    mkdirSync(join(tmp.dir, 'sub'));
    expect((await loadCorpus(tmp.dir)).documents.map((d) => d.id)).toEqual(['a', 'b', 'c']);
  });

  it('applies the watermarks it is given', async () => {
    writeFileSync(join(tmp.dir, 'a.txt'), '信访【某网站】工作。');
    const [doc] = (await loadCorpus(tmp.dir, { watermarks: [...DEFAULT_WATERMARKS, '【某网站】'] })).documents;
    expect(doc!.text).toBe('信访工作。');
  });

  it('a missing folder → UserFacingError naming YIJU_CORPUS_DIR', async () => {
    const error = await loadCorpus(join(tmp.dir, 'nope')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toContain('YIJU_CORPUS_DIR');
  });

  it('a folder without documents → UserFacingError', async () => {
    writeFileSync(join(tmp.dir, 'readme.pdf'), 'x');
    await expect(loadCorpus(tmp.dir)).rejects.toThrow(/no readable \.txt or \.md documents/u);
  });

  /** A corpus of one good speech and the given bad files: the good one is read, each bad one skipped with its reason. */
  async function withBadFile(files: Record<string, string | Buffer>) {
    writeFileSync(join(tmp.dir, 'good.txt'), '初信初访要及时就地化解。');
    for (const [name, content] of Object.entries(files)) writeFileSync(join(tmp.dir, name), content);
    const lines: string[] = [];
    const loaded = await loadCorpus(tmp.dir, {}, (l) => lines.push(l));
    return { ...loaded, lines };
  }

  it('a file that is not UTF-8 or UTF-16 is skipped with its reason (suggesting a conversion); the rest are read', async () => {
    // "信访" in GBK.
    const { documents, skipped, lines } = await withBadFile({ 'gbk.txt': Buffer.from([0xd0, 0xc5, 0xb7, 0xc3]) });
    expect(documents.map((d) => d.id)).toEqual(['good']);
    expect(skipped).toEqual([{ file: 'gbk.txt', reason: expect.stringMatching(/not UTF-8 or UTF-16[\s\S]*iconv/u) }]);
    expect(lines.some((l) => l.startsWith('corpus: gbk.txt skipped: not UTF-8'))).toBe(true);
  });

  it('UTF-16 with a byte-order mark (little and big endian) and UTF-8 with one are text', async () => {
    const bom16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('小端讲话。', 'utf16le')]);
    const be = Buffer.from('大端讲话。', 'utf16le').swap16();
    const bom16be = Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
    const { documents, skipped } = await withBadFile({ 'le.txt': bom16le, 'be.txt': bom16be, 'u8.txt': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('带签名。')]) });
    expect(skipped).toEqual([]);
    expect(Object.fromEntries(documents.map((d) => [d.id, d.text]))).toMatchObject({ le: '小端讲话。', be: '大端讲话。', u8: '带签名。' });
  });

  it('a binary file (mostly control characters) is skipped; stray control characters never enter the canonical text', async () => {
    const binary = Buffer.alloc(4096, 0);
    binary.write('PK', 0);
    const { documents, skipped } = await withBadFile({ 'archive.txt': binary, 'nul.txt': `有一个\u0000空字符和\u0007响铃与\u0085下一行的讲话，正文足够长，控制字符只是零星几个。${'正文。'.repeat(200)}` });
    expect(skipped).toEqual([{ file: 'archive.txt', reason: expect.stringMatching(/binary/u) }]);
    const nul = documents.find((d) => d.id === 'nul')!;
    expect(nul.text.startsWith('有一个空字符和响铃与下一行的讲话')).toBe(true);
    expect(nul.text).not.toMatch(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/u);
  });

  it('invalid front matter: the file is skipped with the YAML error; the rest are read', async () => {
    const { documents, skipped } = await withBadFile({ 'bad.md': '---\ntitle: [oops\n---\n正文。' });
    expect(documents.map((d) => d.id)).toEqual(['good']);
    expect(skipped).toEqual([{ file: 'bad.md', reason: expect.stringMatching(/bad\.md: the front matter is not valid YAML/u) }]);
  });

  it('two files with the same id: the second is skipped, naming the first', async () => {
    const { documents, skipped } = await withBadFile({ 'speech.txt': '一。', 'speech.md': '二。' });
    expect(documents.map((d) => d.id)).toEqual(['good', 'speech']);
    expect(skipped).toEqual([{ file: 'speech.txt', reason: expect.stringMatching(/speech\.md already has the document id "speech"/u) }]);
  });

  it('a folder whose every file is bad → UserFacingError listing each file and why', async () => {
    writeFileSync(join(tmp.dir, 'gbk.txt'), Buffer.from([0xd0, 0xc5, 0xb7, 0xc3]));
    writeFileSync(join(tmp.dir, 'bad.md'), '---\ntitle: [oops\n---\n正文。');
    const error = await loadCorpus(tmp.dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toMatch(/no readable[\s\S]*bad\.md[\s\S]*gbk\.txt: not UTF-8/u);
  });
});

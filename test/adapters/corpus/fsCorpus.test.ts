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
    const docs = await loadCorpus(CORPUS_DIR);
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
    expect((await loadCorpus(tmp.dir)).map((d) => d.id)).toEqual(['a', 'b', 'c']);
  });

  it('applies the watermarks it is given', async () => {
    writeFileSync(join(tmp.dir, 'a.txt'), '信访【某网站】工作。');
    const [doc] = await loadCorpus(tmp.dir, { watermarks: [...DEFAULT_WATERMARKS, '【某网站】'] });
    expect(doc!.text).toBe('信访工作。');
  });

  it('a missing folder → UserFacingError naming YIJU_CORPUS_DIR', async () => {
    const error = await loadCorpus(join(tmp.dir, 'nope')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toContain('YIJU_CORPUS_DIR');
  });

  it('a folder without documents → UserFacingError', async () => {
    writeFileSync(join(tmp.dir, 'readme.pdf'), 'x');
    await expect(loadCorpus(tmp.dir)).rejects.toThrow(/no \.txt or \.md documents/u);
  });

  it('a file that is not UTF-8 → UserFacingError suggesting a conversion', async () => {
    // "信访" in GBK.
    writeFileSync(join(tmp.dir, 'gbk.txt'), Buffer.from([0xd0, 0xc5, 0xb7, 0xc3]));
    const error = await loadCorpus(tmp.dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toMatch(/gbk\.txt is not valid UTF-8[\s\S]*iconv/u);
  });

  it('invalid front matter → UserFacingError naming the file and the fix', async () => {
    writeFileSync(join(tmp.dir, 'bad.md'), '---\ntitle: [oops\n---\n正文。');
    const error = await loadCorpus(tmp.dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toMatch(/bad\.md: the front matter is not valid YAML[\s\S]*Fix: fix the front matter of .*bad\.md/u);
  });

  it('two files with the same id → UserFacingError', async () => {
    writeFileSync(join(tmp.dir, 'speech.txt'), '一。');
    writeFileSync(join(tmp.dir, 'speech.md'), '二。');
    await expect(loadCorpus(tmp.dir)).rejects.toThrow(/same document id "speech"/u);
  });
});

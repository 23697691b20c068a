/**
 * One bad corpus file never stops the server (issue 14.5): a file in a legacy encoding, a binary file, bad front
 * matter and a duplicate id are each skipped with their reason — in the log, /api/health and /api/documents — and
 * the rest of the corpus is indexed and answered from.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/node/config.js';
import { createRuntime, type Runtime } from '../../src/node/runtime.js';
import { copyCorpus, makeTempDir } from '../helpers/corpus.js';
import { FakeEmbedder } from '../helpers/fakeEmbedder.js';
import { makeApp, postJson } from '../helpers/http.js';

let tmp: { dir: string; cleanup: () => void };
let rt: Runtime;
const log: string[] = [];

beforeAll(async () => {
  tmp = makeTempDir('yiju-bad-files-');
  const corpus = copyCorpus(tmp.dir, ['000', '002']);
  writeFileSync(join(corpus, 'gbk.txt'), Buffer.from([0xd0, 0xc5, 0xb7, 0xc3, 0xb9, 0xa4, 0xd7, 0xf7])); // 信访工作 in GBK
  const zip = Buffer.alloc(2048, 0);
  zip.write('PK\u0003\u0004', 0, 'latin1');
  writeFileSync(join(corpus, 'archive.md'), zip);
  writeFileSync(join(corpus, 'broken.md'), '---\ntitle: [unclosed\n---\n正文。');
  writeFileSync(join(corpus, '000_7cd7c9b623be1726.md'), '同一个编号的另一份文件。');
  writeFileSync(join(corpus, 'nul.txt'), `一份带\u0000空字符的讲话。${'要把初信初访解决在基层。'.repeat(20)}`);
  rt = await createRuntime(loadConfig({ YIJU_CORPUS_DIR: 'corpus', YIJU_DATA_DIR: 'data' }, tmp.dir), {
    embedder: new FakeEmbedder(),
    log: (l) => log.push(l),
  });
}, 120_000);
afterAll(() => tmp?.cleanup());

const SKIPPED = ['000_7cd7c9b623be1726.txt', 'archive.md', 'broken.md', 'gbk.txt'];

describe('a corpus with bad files', () => {
  it('indexes the readable ones; NUL bytes never reach the canonical text', () => {
    expect([...rt.opened.index.documents.keys()].sort()).toEqual(['000_7cd7c9b623be1726', '002_748bcc23fd16065f', 'nul']);
    expect(rt.opened.index.documents.get('nul')!.text).toMatch(/^一份带空字符的讲话。/u);
  });

  it('logs each skipped file with its reason', () => {
    for (const file of SKIPPED)
      expect(
        log.some((l) => l.startsWith(`corpus: ${file} skipped: `)),
        file,
      ).toBe(true);
  });

  it('/api/health and /api/documents list them; questions are answered from the rest', async () => {
    const { app } = makeApp(rt);
    const health = (await (await app.request('/api/health')).json()) as { index: { documents: number; skipped: { file: string; reason: string }[] } };
    expect(health.index.documents).toBe(3);
    expect(health.index.skipped.map((s) => s.file).sort()).toEqual(SKIPPED);
    const reasons = Object.fromEntries(health.index.skipped.map((s) => [s.file, s.reason]));
    expect(reasons['gbk.txt']).toMatch(/not UTF-8 or UTF-16/u);
    expect(reasons['archive.md']).toMatch(/binary/u);
    expect(reasons['broken.md']).toMatch(/front matter/u);
    expect(reasons['000_7cd7c9b623be1726.txt']).toMatch(/already has the document id/u);
    const list = (await (await app.request('/api/documents')).json()) as { documents: unknown[]; skipped: unknown[] };
    expect(list.documents).toHaveLength(3);
    expect(list.skipped).toEqual(health.index.skipped);
    const ask = await app.request('/api/ask', postJson({ question: '信访工作联席会议讲了什么？' }));
    expect(ask.status).toBe(200);
  });
});

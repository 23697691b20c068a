import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../../src/core/errors.js';
import { JiebaSegmenter } from '../../../src/adapters/segmenters/jieba.js';
import { IndexStore } from '../../../src/adapters/storage/indexStore.js';
import { loadConfig, type Config } from '../../../src/node/config.js';
import { Chunker } from '../../../src/core/chunk/chunker.js';
import { indexDir, openIndex } from '../../../src/node/openIndex.js';
import { copyCorpus, makeTempDir } from '../../helpers/corpus.js';
import { FakeEmbedder } from '../../helpers/fakeEmbedder.js';
import { corpusDomain } from '../../helpers/domain.js';

let tmp: { dir: string; cleanup: () => void };
let config: Config;

beforeEach(() => {
  tmp = makeTempDir('yiju-lock-');
  copyCorpus(tmp.dir, ['000', '002']);
  config = loadConfig({ YIJU_CORPUS_DIR: 'corpus', YIJU_DATA_DIR: 'data' }, tmp.dir);
});
afterEach(() => tmp.cleanup());

const open = () =>
  openIndex(config, {
    embedder: new FakeEmbedder(),
    segmenter: new JiebaSegmenter(corpusDomain().terms),
    chunker: new Chunker({ chunkSize: config.chunkSize }),
    domain: corpusDomain(),
  });

describe('IndexStore.withLock', () => {
  it('runs one holder at a time and removes the lock afterwards', async () => {
    const store = new IndexStore(join(tmp.dir, 'idx'));
    const events: string[] = [];
    const holder = (name: string) =>
      store.withLock(async () => {
        events.push(`${name}:in`);
        await new Promise((r) => setTimeout(r, 50));
        events.push(`${name}:out`);
      });
    await Promise.all([holder('a'), holder('b')]);
    expect(events).toEqual(events[0] === 'a:in' ? ['a:in', 'a:out', 'b:in', 'b:out'] : ['b:in', 'b:out', 'a:in', 'a:out']);
    expect(existsSync(join(tmp.dir, 'idx', 'build.lock'))).toBe(false);
  });

  it('a lock file left by an earlier version (a PID in a plain file) is not a lock: it never blocks', async () => {
    const dir = join(tmp.dir, 'idx');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'build.lock'), JSON.stringify({ pid: process.pid, at: Date.now() }));
    expect(await new IndexStore(dir).withLock(async () => 'ran', { waitMs: 0 })).toBe('ran');
  });

  it('gives up on a live holder after waiting, with a sentence naming the lock', async () => {
    const store = new IndexStore(join(tmp.dir, 'idx'));
    let release!: () => void;
    const held = store.withLock(() => new Promise<void>((r) => (release = r)));
    await until(() => existsSync(join(tmp.dir, 'idx', 'build.lock')));
    const err = await new IndexStore(join(tmp.dir, 'idx')).withLock(async () => 'ran', { waitMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toContain('build.lock');
    release();
    await held;
  });
});

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('openIndex under concurrency', () => {
  it('two processes opening a new index at once build it once and agree', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    expect([a.build, b.build].filter((x) => x !== null)).toHaveLength(1);
    expect(a.manifest.corpusHash).toBe(b.manifest.corpusHash);
    expect(new IndexStore(indexDir(config)).load()?.manifest.counts).toEqual(a.manifest.counts);
  });
});

/**
 * The dictionary lexicon (src/node/lexicon.ts): built in a worker thread, the same lexicon the server's own thread
 * would build, cached beside the index — and the server's event loop keeps running while it is built. (CI once saw a
 * keep-alive request reset: the in-thread build blocked the server for longer than the connection's 5 s idle timer.)
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Bm25Index } from '../../src/core/lexical/bm25.js';
import { lexiconToJSON } from '../../src/core/retrieve/bilingual.js';
import { buildCorpusLexicon, lexiconFromDictionary, lexiconPath, loadLexicon } from '../../src/node/lexicon.js';
import { makeTempDir } from '../helpers/corpus.js';

const PASSAGES = [
  ['信访', '工作', '群众', '初信', '初访', '郑州市', '通许县'],
  ['矛盾', '纠纷', '排查', '乡镇', '化解', '信访'],
  ['领导', '接访', '责任', '落实', '郑州市'],
];
function vocabulary(): Bm25Index {
  const bm25 = new Bm25Index();
  PASSAGES.forEach((terms, i) => bm25.add(`p${i}`, terms));
  return bm25;
}

/** Runs `work` while a 5 ms timer ticks; the longest time the event loop went without running it. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number; totalMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  const start = performance.now();
  try {
    const result = await work();
    stallMs = Math.max(stallMs, performance.now() - last);
    return { result, stallMs, totalMs: performance.now() - start };
  } finally {
    clearInterval(timer);
  }
}

describe('the dictionary lexicon', () => {
  const data = makeTempDir('yiju-lexicon-');
  afterAll(() => data.cleanup());

  it("is built in a worker thread: the same lexicon as in the server's thread, and the event loop keeps running meanwhile", async () => {
    // First the worker (this thread has not loaded the dictionary yet), then this thread, which loads it itself.
    const inWorker = await longestStall(() => buildCorpusLexicon(vocabulary()));
    const inThread = await longestStall(() => lexiconFromDictionary([...vocabulary().vocabulary()].sort().map((t) => [t, vocabulary().containing(t).length])));
    expect(lexiconToJSON(inWorker.result)).toEqual(lexiconToJSON(inThread.result));
    expect(inWorker.result.places.has('郑州市')).toBe(true);
    expect(inWorker.result.simplified.get('訪')).toBe('访');
    // The dictionary's load blocks the thread it runs in for most of the in-thread build; in the worker, this
    // thread's longest stall is a small fraction of it (a ratio in one run, not a time limit).
    expect(inThread.stallMs, 'the in-thread build should block this thread (else this test measures nothing)').toBeGreaterThan(inThread.totalMs / 2);
    expect(inWorker.stallMs, `longest stall ${Math.round(inWorker.stallMs)} ms with the worker, ${Math.round(inThread.stallMs)} ms in-thread`).toBeLessThan(
      inThread.stallMs / 4,
    );
  }, 60_000);

  it('is cached beside the index and read back from the cache while the vocabulary is the same', async () => {
    const built = await loadLexicon(data.dir, vocabulary());
    const cached = JSON.parse(readFileSync(lexiconPath(data.dir), 'utf8')) as { hash: string };
    expect(cached.hash).toMatch(/\S/u);
    const log: string[] = [];
    const again = await longestStall(() => loadLexicon(data.dir, vocabulary(), (l) => log.push(l)));
    expect(lexiconToJSON(again.result)).toEqual(lexiconToJSON(built));
    expect(log).toEqual([]);
  }, 60_000);
});

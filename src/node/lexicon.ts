import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { contentHash } from '../core/hash.js';
import type { Bm25Index } from '../core/lexical/bm25.js';
import { buildLexicon, buildPinyin, lexiconFromJSON, lexiconToJSON, type Lexicon, type LexiconSnapshot } from '../core/retrieve/bilingual.js';

/** The bilingual lexicon's cache beside the index: rebuilt when the corpus vocabulary changes. */
export const lexiconPath = (dataDir: string) => join(dataDir, 'lexicon.json');

/**
 * The corpus' lexicon, from the cache when its vocabulary matches, else built (loading the dictionary takes a few
 * seconds, so only the first question that needs it after the corpus changes pays it) and cached. A cache that
 * cannot be written is only a slower next start.
 */
export async function loadLexicon(dataDir: string, bm25: Bm25Index, log: (line: string) => void = () => {}): Promise<Lexicon> {
  const hash = vocabularyHash(bm25);
  const path = lexiconPath(dataDir);
  if (existsSync(path)) {
    try {
      const cached = JSON.parse(readFileSync(path, 'utf8')) as Partial<LexiconSnapshot> & { hash: string };
      if (cached.hash === hash && cached.words && cached.simplified && cached.pinyin && cached.places) return lexiconFromJSON(cached as LexiconSnapshot);
    } catch {
      // unreadable cache: rebuilt below
    }
  }
  const lexicon = await buildCorpusLexicon(bm25, log);
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(`${path}.tmp`, JSON.stringify({ hash, ...lexiconToJSON(lexicon) }));
    renameSync(`${path}.tmp`, path);
  } catch (err) {
    log(`lexicon: cannot cache ${path} (${(err as Error).message}); it is rebuilt on the next start`);
  }
  return lexicon;
}

const vocabularyHash = (bm25: Bm25Index) => contentHash([...bm25.vocabulary()].sort().join('\n'));

/**
 * The corpus' lexicon from CC-CEDICT: English → the corpus' terms (glosses of its vocabulary), traditional →
 * simplified characters, pinyin → the corpus' terms, and the names of places (a gazetteer).
 *
 * Built in a worker thread: loading the dictionary takes seconds of CPU (about 3 s here), and a server that blocked
 * that long would reset the keep-alive connections whose idle timer (5 s) ran out meanwhile and hold every request
 * (test/node/lexicon.test.ts). Where no worker can be started, it is built in this thread.
 */
export async function buildCorpusLexicon(bm25: Bm25Index, log: (line: string) => void = () => {}): Promise<Lexicon> {
  const frequencies = [...bm25.vocabulary()].sort().map((t) => [t, bm25.containing(t).length] as [string, number]);
  try {
    return lexiconFromJSON(await inWorker(frequencies));
  } catch (err) {
    log(`lexicon: no worker thread (${(err as Error).message}); building it in the server's thread`);
    return lexiconFromDictionary(frequencies);
  }
}

/** The lexicon of a vocabulary (term, number of passages containing it), in this thread. */
export async function lexiconFromDictionary(frequencies: [string, number][]): Promise<Lexicon> {
  const { cedictGlosser, cedictPlaces, cedictReadings, cedictSimplified } = await import('../adapters/lexicon/cedict.js');
  return {
    words: buildLexicon(frequencies, cedictGlosser),
    simplified: cedictSimplified(),
    pinyin: buildPinyin(frequencies, cedictReadings),
    places: cedictPlaces(),
  };
}

/**
 * Runs lexiconWorker and resolves with the snapshot it posts. Source files are TypeScript, run through tsx's loader;
 * Node 20 does not pass a loader registered with --import on to worker threads, so the worker imports its entry with
 * tsx's tsImport.
 */
function inWorker(frequencies: [string, number][]): Promise<LexiconSnapshot> {
  const here = fileURLToPath(import.meta.url);
  const entry = pathToFileURL(join(dirname(here), `lexiconWorker${extname(here)}`)).href;
  const boot = entry.endsWith('.ts')
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`
    : `import(${JSON.stringify(entry)})`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: frequencies });
    let result: LexiconSnapshot | undefined;
    worker.once('message', (snapshot: LexiconSnapshot) => (result = snapshot));
    worker.once('error', reject);
    worker.once('exit', (code) => (result ? resolve(result) : reject(new Error(`the lexicon worker exited with code ${code} and no lexicon`))));
  });
}

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  const lexicon = await buildCorpusLexicon(bm25);
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
 */
export async function buildCorpusLexicon(bm25: Bm25Index): Promise<Lexicon> {
  const { cedictGlosser, cedictPlaces, cedictReadings, cedictSimplified } = await import('../adapters/lexicon/cedict.js');
  const frequencies = [...bm25.vocabulary()].sort().map((t) => [t, bm25.containing(t).length] as [string, number]);
  return {
    words: buildLexicon(frequencies, cedictGlosser),
    simplified: cedictSimplified(),
    pinyin: buildPinyin(frequencies, cedictReadings),
    places: cedictPlaces(),
  };
}

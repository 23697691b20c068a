import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentHash } from '../core/hash.js';
import type { Bm25Index } from '../core/lexical/bm25.js';
import { buildLexicon, buildPinyin, type Lexicon } from '../core/retrieve/bilingual.js';

/** The bilingual lexicon's cache beside the index: rebuilt when the corpus vocabulary changes. */
export const lexiconPath = (dataDir: string) => join(dataDir, 'lexicon.json');

/**
 * The corpus' English → Chinese lexicon (CC-CEDICT restricted to the corpus vocabulary) and CC-CEDICT's traditional →
 * simplified characters, from the cache when its
 * vocabulary matches, else built (loading the dictionary takes a few seconds, so only the first English question
 * after the corpus changes pays it) and cached. A cache that cannot be written is only a slower next start.
 */
export async function loadLexicon(dataDir: string, bm25: Bm25Index, log: (line: string) => void = () => {}): Promise<Lexicon> {
  const vocabulary = [...bm25.vocabulary()].sort();
  const hash = contentHash(vocabulary.join('\n'));
  const path = lexiconPath(dataDir);
  if (existsSync(path)) {
    try {
      const cached = JSON.parse(readFileSync(path, 'utf8')) as {
        hash: string;
        words: [string, string[]][];
        simplified?: [string, string][];
        pinyin?: [string, string][];
      };
      if (cached.hash === hash && cached.simplified && cached.pinyin)
        return { words: new Map(cached.words), simplified: new Map(cached.simplified), pinyin: new Map(cached.pinyin) };
    } catch {
      // unreadable cache: rebuilt below
    }
  }
  const { cedictGlosser, cedictReadings, cedictSimplified } = await import('../adapters/lexicon/cedict.js');
  const frequencies = vocabulary.map((t) => [t, bm25.containing(t).length] as [string, number]);
  const words = buildLexicon(frequencies, cedictGlosser);
  const pinyin = buildPinyin(frequencies, cedictReadings);
  const simplified = cedictSimplified();
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(`${path}.tmp`, JSON.stringify({ hash, words: [...words], simplified: [...simplified], pinyin: [...pinyin] }));
    renameSync(`${path}.tmp`, path);
  } catch (err) {
    log(`lexicon: cannot cache ${path} (${(err as Error).message}); it is rebuilt on the next start`);
  }
  return { words, simplified, pinyin };
}

/**
 * Query translation for English questions, offline: a bilingual lexicon restricted to the corpus' own
 * vocabulary (English word → the corpus' Chinese terms that a dictionary glosses with it), built once from a
 * dictionary adapter (CC-CEDICT on Node). Words the lexicon does not know are left out of the Chinese query, and
 * the share of a question's content words it does know says whether the corpus can be about the question at all.
 */

/** English word → Chinese terms of the corpus, most frequent in the corpus first. */
export type BilingualLexicon = ReadonlyMap<string, readonly string[]>;

/** What the dictionary gives the corpus: the English lexicon, and traditional → simplified characters. */
export interface Lexicon {
  words: BilingualLexicon;
  simplified: ReadonlyMap<string, string>;
  /** Toneless pinyin ("xinfang") → the corpus term it spells, the commonest first. */
  pinyin: ReadonlyMap<string, string>;
  /** Names of places with their administrative suffix (郑州市, 通许县, 河南省): a gazetteer. */
  places: ReadonlySet<string>;
}

/** A lexicon as plain JSON (the Node cache, the Worker's bundle). */
export interface LexiconSnapshot {
  words: [string, string[]][];
  simplified: [string, string][];
  pinyin: [string, string][];
  places: string[];
}

export const lexiconToJSON = (l: Lexicon): LexiconSnapshot => ({
  words: [...l.words].map(([w, t]) => [w, [...t]]),
  simplified: [...l.simplified],
  pinyin: [...l.pinyin],
  places: [...l.places],
});

export const lexiconFromJSON = (s: LexiconSnapshot): Lexicon => ({
  words: new Map(s.words),
  simplified: new Map(s.simplified),
  pinyin: new Map(s.pinyin),
  places: new Set(s.places),
});

/** Where a text may name a place: two characters and an administrative suffix. */
const MAY_NAME_PLACE = /\p{Script=Han}{2}[省市县区州]/u;

/** The places of the gazetteer a text names, in the order it names them (a name inside a longer one is not counted). */
export function placesIn(text: string, places: ReadonlySet<string>): string[] {
  if (!MAY_NAME_PLACE.test(text)) return [];
  const found = [...places].filter((p) => text.includes(p)).sort((a, b) => b.length - a.length);
  return found.filter((p, i) => !found.slice(0, i).some((q) => q.includes(p))).sort((a, b) => text.indexOf(a) - text.indexOf(b));
}

/** A question typed in pinyin when at least this share of its words spell corpus terms (English words rarely do). */
export const PINYIN_SHARE = 0.7;

/** Toneless pinyin of a dictionary reading: "xin4 fang3" → "xinfang". */
export const toneless = (reading: string) =>
  reading
    .toLowerCase()
    .replace(/[^a-zü]/gu, '')
    .replaceAll('ü', 'v');

/** The question in Chinese characters when it is written in pinyin ("xinfang tiaoli …"), else null. */
export function fromPinyin(question: string, pinyin: ReadonlyMap<string, string>): string | null {
  const words = question.toLowerCase().match(/[a-zü]+/gu) ?? [];
  if (words.length < 2) return null;
  const terms = words.map((w) => pinyin.get(toneless(w)));
  if (terms.filter(Boolean).length < PINYIN_SHARE * words.length) return null;
  return terms.filter(Boolean).join('');
}

/** Builds toneless pinyin → corpus term from each term's readings, the commonest term kept for a shared spelling. */
export function buildPinyin(vocabulary: Iterable<[term: string, frequency: number]>, readings: (term: string) => readonly string[]): Map<string, string> {
  const best = new Map<string, { term: string; frequency: number }>();
  for (const [term, frequency] of vocabulary) {
    if (!/^\p{Script=Han}+$/u.test(term)) continue;
    for (const r of readings(term)) {
      const key = toneless(r);
      const had = best.get(key);
      if (key && (!had || frequency > had.frequency)) best.set(key, { term, frequency });
    }
  }
  return new Map([...best].map(([k, v]) => [k, v.term]));
}

/** A text in simplified characters: each traditional character the map knows replaced (same length, one for one). */
export function toSimplified(text: string, simplified: ReadonlyMap<string, string>): string {
  let out = '';
  for (const ch of text) out += simplified.get(ch) ?? ch;
  return out;
}

/** Function words and question words: they carry no subject. */
const STOPWORDS = new Set(
  (
    'a an the of to in on at by for with from about into over under as and or but if then than so that this these those ' +
    'is are was were be been being am do does did done have has had having can could should would will shall may might must ' +
    'what which who whom whose when where why how whether there here it its they them their he him his she her we us our you your i me my ' +
    'not no yes any some all each every other such only also just very more most much many few one ones get got say said says tell told ' +
    'according speech speeches talk document documents mention mentioned mentions state stated ' +
    'best good better great nice new main important real really actually exactly specific specifically current currently latest recent'
  ).split(' '),
);

/** A crude English stem: enough to meet a dictionary gloss ("visits" → "visit", "handled" → "handle"). */
export function stem(word: string): string {
  const w = word.toLowerCase();
  if (w.length > 4 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3);
  if (w.length > 4 && w.endsWith('ed')) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('es') && /(?:ss|sh|ch|x)es$/u.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

/** The content words of an English text, stemmed. */
export function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z][a-z'-]+/gu) ?? [])
    .map((w) => w.replace(/'s$/u, ''))
    .filter((w) => w.length > 2 && !STOPWORDS.has(w))
    .map(stem);
}

/** Dictionary glosses of a Chinese term (for the lexicon build): a dictionary adapter provides them. */
export type Glosser = (term: string) => readonly string[];

/** The longest gloss counted: longer glosses are explanations, whose words do not translate the term. */
const MAX_GLOSS_WORDS = 4;

/**
 * Builds the lexicon from the corpus' vocabulary (with each term's frequency): each term's short glosses are
 * split into content words, and each word points back to the terms, most frequent first.
 */
export function buildLexicon(vocabulary: Iterable<[term: string, frequency: number]>, gloss: Glosser): Map<string, string[]> {
  const byWord = new Map<string, Map<string, number>>();
  for (const [term, frequency] of vocabulary) {
    if (!/^\p{Script=Han}{2,}$/u.test(term)) continue;
    for (const g of gloss(term)) {
      const clean = g.replace(/\([^)]*\)|\[[^\]]*\]|\bCL:.*$/gu, ' ');
      const words = contentWords(clean);
      if (!words.length || words.length > MAX_GLOSS_WORDS) continue;
      for (const w of words) {
        const terms = byWord.get(w) ?? new Map<string, number>();
        terms.set(term, Math.max(terms.get(term) ?? 0, frequency));
        byWord.set(w, terms);
      }
    }
  }
  return new Map([...byWord].map(([w, terms]) => [w, [...terms].sort((a, b) => b[1] - a[1]).map(([t]) => t)]));
}

/** Chinese terms taken per English word: the corpus' commonest rendering (1 to 3 tried on the development sets; 1 kept). */
const TERMS_PER_WORD = 1;

/**
 * The Chinese terms an English question's content words translate to, and the share of its content words the
 * lexicon (or the domain glossary, for words it consumed) knows.
 */
export function translateEnglish(
  question: string,
  lexicon: BilingualLexicon,
  known: (word: string) => boolean = () => false,
): { terms: string[]; coverage: number } {
  const words = contentWords(question);
  if (!words.length) return { terms: [], coverage: 0 };
  const terms: string[] = [];
  let hits = 0;
  for (const w of words) {
    const zh = lexicon.get(w);
    // A word the domain glossary knows is translated by it (the glossary is the domain's own rendering).
    if (known(w)) hits++;
    else if (zh?.length) {
      terms.push(...zh.slice(0, TERMS_PER_WORD));
      hits++;
    }
  }
  return { terms: [...new Set(terms)], coverage: hits / words.length };
}

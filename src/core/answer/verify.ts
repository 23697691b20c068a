import type { Domain } from '../domain/pack.js';
import type { Embedder } from '../ports.js';
import { expandToChinese } from '../retrieve/glossary.js';
import { isMostlyLatin } from '../retrieve/query.js';
import type { Passage } from '../types.js';

/**
 * Citation verification for generated answers. Every sentence's markers must
 * point at a passage that was given and that supports the sentence; invalid
 * or unsupported markers are repaired to the best-supporting passage or
 * removed, and sentences no passage supports are reported.
 */

export interface VerifiedAnswer {
  answer: string;
  /** Passage numbers (1-based) the verified answer cites, ascending. */
  cited: number[];
  unsupported: string[];
  repaired: number;
  /** Sentences checked (claims); unsupported.length / claims is the unsupported share. */
  claims: number;
}

export interface SupportThresholds {
  /** Share of the sentence's Chinese character bigrams found in the passage. */
  lexical: number;
  /** Cosine similarity of sentence and passage embeddings (catches paraphrase). */
  semantic: number;
  /** For English claims (the local embedder does not bridge languages): share of their glossary terms in the passage. */
  glossary: number;
}

/** Set on the generative tests' scripted answers and the development set's passages (test/core/answer/verify.test.ts pins each side). */
export const DEFAULT_SUPPORT: SupportThresholds = { lexical: 0.35, semantic: 0.62, glossary: 0.5 };

const MARKERS = /\s*\[(\d+(?:\s*[,，、]\s*\d+)*)\]/gu;
// Chinese sentence punctuation, line ends, and an English full stop followed by a space.
const UNIT_END = /(?<=[。！？!?；;\n]|\.(?=\s))/u;
/** Figures a claim states: digits, percentages, "每半月", "百分之五十", "三个" … */
const FIGURES =
  /[0-9０-９]+(?:[.．][0-9]+)?\s*[%％]?|百分之[零一二三四五六七八九十百]+|每[一二两三四五六七八九十半]*个?[天日周月年季]|[一二两三四五六七八九十百]+个?(?:次|批|项|条|天|日|周|月|年|人)/gu;

function cjkBigrams(text: string): Set<string> {
  const clean = text.replace(/[^\p{Script=Han}A-Za-z0-9]/gu, '');
  const out = new Set<string>();
  for (let i = 0; i + 1 < clean.length; i++) out.add(clean.slice(i, i + 2));
  return out;
}

/** Share of the sentence's bigrams that occur in the passage. */
export function lexicalSupport(sentence: string, passage: string): number {
  const s = cjkBigrams(sentence);
  if (s.size < 3) return 0;
  const p = cjkBigrams(passage);
  let hit = 0;
  for (const b of s) if (p.has(b)) hit++;
  return hit / s.size;
}

/** Every figure the claim states must also stand in the passage ("每月" is not "每半月"). */
export function figuresAgree(claim: string, passage: string): boolean {
  const norm = (s: string) => s.replace(/[\s个]/gu, '');
  const text = norm(passage);
  return (claim.match(FIGURES) ?? [])
    .map(norm)
    .filter((f) => !/^一[次项条人]$/u.test(f))
    .every((f) => text.includes(f));
}

/** For an English claim: share of the Chinese domain terms it mentions that the passage contains (needs at least two). */
export function glossarySupport(claim: string, passage: string, glossary: Domain['glossary']): number {
  const terms = [...new Set(expandToChinese(claim, glossary).split(' ').filter(Boolean))];
  if (terms.length < 2) return 0;
  return terms.filter((t) => passage.includes(t)).length / terms.length;
}

const stripMarkers = (s: string) => s.replace(MARKERS, '');
/** A unit worth checking: real content, not a heading, bullet stub or closing line. */
const isClaim = (s: string) => stripMarkers(s).replace(/[\s\p{P}#*>-]/gu, '').length >= 6 && !/[：:]\s*$/u.test(stripMarkers(s).trim());

/** "[1,2]", "[1、2]" → "[1][2]": one number per marker. */
export const splitMultiMarkers = (text: string) =>
  text.replace(/\[(\d+(?:\s*[,，、]\s*\d+)+)\]/gu, (_, g: string) =>
    g
      .split(/\s*[,，、]\s*/u)
      .map((n) => `[${n}]`)
      .join(''),
  );

export interface VerifyOptions {
  thresholds?: SupportThresholds;
  /** A passage's vector as the index stored it, when it has one: not embedded again. */
  storedPassageVector?: (passage: Passage) => Float32Array | undefined;
  /** The domain's English glossary: how English claims are matched to Chinese passages. */
  glossary?: Domain['glossary'];
}

export async function verifyCitations(rawText: string, passages: Passage[], embedder: Embedder | null, options: VerifyOptions = {}): Promise<VerifiedAnswer> {
  const { thresholds = DEFAULT_SUPPORT, storedPassageVector, glossary = [] } = options;
  const text = splitMultiMarkers(rawText);
  // Units end at sentence punctuation; markers written after the punctuation ("…。[2]") belong to the unit before.
  const units: string[] = [];
  for (const piece of text.split(UNIT_END)) {
    const lead = /^(\s*\[\d+(?:\s*[,，、]\s*\d+)*\])+/u.exec(piece)?.[0];
    if (lead && units.length) {
      units[units.length - 1] = units[units.length - 1]!.replace(/([。！？!?；;\n]?)$/u, `${lead.trim()}$1`);
      units.push(piece.slice(lead.length));
    } else units.push(piece);
  }

  const claims = units.map((u, i) => ({ i, text: stripMarkers(u).trim() })).filter((c) => isClaim(units[c.i]!));
  let semantic: number[][] | null = null;
  if (embedder && claims.length && passages.length) {
    const pv: (Float32Array | undefined)[] = passages.map((p) => storedPassageVector?.(p));
    const missing = passages.map((p, i) => ({ p, i })).filter(({ i }) => !pv[i]);
    const [sv, fresh] = await Promise.all([
      embedder.embed(
        claims.map((c) => c.text),
        'query',
      ),
      missing.length
        ? embedder.embed(
            missing.map(({ p }) => p.text),
            'passage',
          )
        : Promise.resolve([]),
    ]);
    missing.forEach(({ i }, j) => (pv[i] = fresh[j]));
    semantic = sv.map((s) => pv.map((p) => s.reduce((a, x, k) => a + x * p![k]!, 0)));
  }
  /** ≥ 1 means the passage supports the claim. */
  const strength = (claimIndex: number, passage: number) => {
    const claim = claims[claimIndex]!.text;
    const text = passages[passage]!.text;
    const latin = isMostlyLatin(claim);
    return Math.max(
      lexicalSupport(claim, text) / thresholds.lexical,
      latin ? glossarySupport(claim, text, glossary) / thresholds.glossary : (semantic?.[claimIndex]?.[passage] ?? 0) / thresholds.semantic,
    );
  };
  const supports = (claimIndex: number, passage: number) => strength(claimIndex, passage) >= 1;

  const cited = new Set<number>();
  const unsupported: string[] = [];
  let repaired = 0;
  claims.forEach((claim, ci) => {
    const unit = units[claim.i]!;
    const given = [...unit.matchAll(MARKERS)].flatMap((m) => m[1]!.split(/\s*[,，、]\s*/u).map(Number));
    let keep = [...new Set(given)].filter((n) => n >= 1 && n <= passages.length && supports(ci, n - 1));
    if (keep.length !== new Set(given).size) repaired++;
    if (!keep.length) {
      let best = -1;
      let bestStrength = 0;
      passages.forEach((_, p) => {
        const s = strength(ci, p);
        if (s > bestStrength) [best, bestStrength] = [p, s];
      });
      if (best >= 0 && bestStrength >= 1) keep = [best + 1];
    }
    // The figures a claim states must stand in the passages it cites.
    if (keep.length && !figuresAgree(claim.text, keep.map((n) => passages[n - 1]!.text).join('\n'))) keep = [];
    if (!keep.length) unsupported.push(claim.text);
    keep.forEach((n) => cited.add(n));
    const markers = keep.map((n) => `[${n}]`).join('');
    const bare = stripMarkers(unit);
    const end = /[。！？!?；;]?\s*$/u.exec(bare)?.[0] ?? '';
    units[claim.i] = `${bare.slice(0, bare.length - end.length)}${markers}${end}`;
  });
  // Markers outside checked units (headings, stubs) are dropped unless they point at a cited passage.
  const answer = units
    .map((u, i) =>
      claims.some((c) => c.i === i)
        ? u
        : u.replace(MARKERS, (m, g: string) =>
            g
              .split(/\s*[,，、]\s*/u)
              .map(Number)
              .every((n) => cited.has(n))
              ? m
              : '',
          ),
    )
    .join('');
  return { answer, cited: [...cited].sort((a, b) => a - b), unsupported, repaired, claims: claims.length };
}

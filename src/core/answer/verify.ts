import type { Embedder } from '../ports.js';
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
}

export interface SupportThresholds {
  /** Share of the sentence's Chinese character bigrams found in the passage. */
  lexical: number;
  /** Cosine similarity of sentence and passage embeddings (catches paraphrase and other languages). */
  semantic: number;
}

export const DEFAULT_SUPPORT: SupportThresholds = { lexical: 0.35, semantic: 0.62 };

const MARKERS = /\s*\[(\d+(?:\s*[,，、]\s*\d+)*)\]/gu;
const UNIT_END = /(?<=[。！？!?；;\n])/u;

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

const stripMarkers = (s: string) => s.replace(MARKERS, '');
/** A unit worth checking: real content, not a heading, bullet stub or closing line. */
const isClaim = (s: string) => stripMarkers(s).replace(/[\s\p{P}#*>-]/gu, '').length >= 6 && !/[：:]\s*$/u.test(stripMarkers(s).trim());

export async function verifyCitations(
  text: string,
  passages: Passage[],
  embedder: Embedder | null,
  thresholds: SupportThresholds = DEFAULT_SUPPORT,
): Promise<VerifiedAnswer> {
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
    const [sv, pv] = await Promise.all([embedder.embed(claims.map((c) => c.text), 'query'), embedder.embed(passages.map((p) => p.text), 'passage')]);
    semantic = sv.map((s) => pv.map((p) => s.reduce((a, x, k) => a + x * p[k]!, 0)));
  }
  const supports = (claimIndex: number, passage: number): boolean => {
    const claim = claims[claimIndex]!.text;
    return lexicalSupport(claim, passages[passage]!.text) >= thresholds.lexical || (semantic?.[claimIndex]?.[passage] ?? 0) >= thresholds.semantic;
  };
  const strength = (claimIndex: number, passage: number) =>
    Math.max(lexicalSupport(claims[claimIndex]!.text, passages[passage]!.text) / thresholds.lexical, (semantic?.[claimIndex]?.[passage] ?? 0) / thresholds.semantic);

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
      else unsupported.push(claim.text);
    }
    keep.forEach((n) => cited.add(n));
    const markers = keep.map((n) => `[${n}]`).join('');
    const bare = stripMarkers(unit);
    const end = /[。！？!?；;]?\s*$/u.exec(bare)?.[0] ?? '';
    units[claim.i] = `${bare.slice(0, bare.length - end.length)}${markers}${end}`;
  });
  // Markers outside checked units (headings, stubs) are dropped unless they point at a cited passage.
  const answer = units
    .map((u, i) => (claims.some((c) => c.i === i) ? u : u.replace(MARKERS, (m, g: string) => (g.split(/\s*[,，、]\s*/u).map(Number).every((n) => cited.has(n)) ? m : ''))))
    .join('');
  return { answer, cited: [...cited].sort((a, b) => a - b), unsupported, repaired };
}

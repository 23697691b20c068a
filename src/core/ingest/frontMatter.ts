import { UserFacingError } from '../errors.js';
import yaml from 'js-yaml';
import type { DocumentMeta } from '../types.js';

/** A corpus file whose front matter cannot be read. */
export class FrontMatterError extends UserFacingError {
  override name = 'FrontMatterError';
}

export const META_KEYS = ['title', 'date', 'place', 'speaker', 'source', 'meeting', 'level'] as const;
// Front matter only when the file opens with a `---` line AND a closing `---` line follows.
const BLOCK = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/u;

/**
 * Splits optional YAML front matter from the body. YAML's core schema keeps
 * dates as written ("2023-05-01"), never as UTC instants. A file that merely
 * starts with `---` and has no closing line is all body.
 */
export function splitFrontMatter(raw: string): { meta: DocumentMeta; body: string } {
  const m = BLOCK.exec(raw);
  if (!m) return { meta: {}, body: raw };
  let data: unknown;
  try {
    data = yaml.load(m[1]!, { schema: yaml.CORE_SCHEMA });
  } catch (err) {
    throw new FrontMatterError(`the front matter is not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (data === null || data === undefined) return { meta: {}, body: raw.slice(m[0].length) };
  if (typeof data !== 'object' || Array.isArray(data)) throw new FrontMatterError('the front matter must be YAML keys such as "title: …"');
  const meta: DocumentMeta = {};
  for (const key of META_KEYS) {
    const value = (data as Record<string, unknown>)[key];
    if (typeof value === 'string' || typeof value === 'number') meta[key] = String(value).trim();
  }
  // A timestamp keeps its calendar date as written (2023-05-01T02:00:00+08:00 → 2023-05-01).
  if (meta.date && /^\d{4}-\d{2}-\d{2}[T ]/u.test(meta.date)) meta.date = meta.date.slice(0, 10);
  return { meta, body: raw.slice(m[0].length) };
}

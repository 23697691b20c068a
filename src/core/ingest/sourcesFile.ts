import yaml from 'js-yaml';
import { z } from 'zod';
import { UserFacingError } from '../errors.js';
import type { DocumentMeta } from '../types.js';

/** The file name of a corpus' sidecar of source metadata, beside its documents. */
export const SOURCES_FILE = 'yiju.sources.yaml';

/** A sidecar entry: the same keys as a document's front matter (numbers such as a year are kept as written). */
const Value = z.union([z.string(), z.number()]).transform((v) => String(v).trim());
const EntrySchema = z.object({ title: Value, date: Value, place: Value, speaker: Value, source: Value, meeting: Value, level: Value }).partial().strict();

/** A sidecar that cannot be used, with where and why. */
export class SourcesFileError extends UserFacingError {
  override name = 'SourcesFileError';
}

/** Reads the sidecar (file name → metadata); `source` names it in errors. */
export function parseSourcesFile(text: string, source = SOURCES_FILE): Record<string, DocumentMeta> {
  let raw: unknown;
  try {
    raw = yaml.load(text, { schema: yaml.CORE_SCHEMA }) ?? {};
  } catch (err) {
    throw new SourcesFileError(`${source} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, `fix ${source}, or remove it.`);
  }
  const parsed = z.record(z.string(), EntrySchema.nullable()).safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new SourcesFileError(
      `${source} is not valid source metadata:\n${lines.join('\n')}`,
      `fix ${source}: file names as keys, each with meeting, level, place, speaker, date or source (see docs/domain-pack.md).`,
    );
  }
  const out: Record<string, DocumentMeta> = {};
  for (const [name, entry] of Object.entries(parsed.data)) {
    const meta: DocumentMeta = {};
    for (const [k, v] of Object.entries(entry ?? {})) if (v) meta[k as keyof DocumentMeta] = v;
    out[name] = meta;
  }
  return out;
}

import { documentHash } from '../hash.js';
import type { Document } from '../types.js';
import { FrontMatterError, splitFrontMatter } from './frontMatter.js';
import { cleanText, type CleanOptions } from './clean.js';
import { deriveTitle } from './title.js';

export interface SourceFile {
  /** File name relative to the corpus folder, e.g. `000_7cd7c9b623be1726.txt`. */
  name: string;
  raw: string;
}

/** Stable document id from a file name: the base name without extension, made URL-safe. */
export function documentId(fileName: string): string {
  const base = fileName.split(/[\\/]/u).pop() ?? fileName;
  const stem = base.replace(/\.(?:txt|md|markdown)$/iu, '');
  return (
    stem
      .normalize('NFC')
      .replace(/[^\p{L}\p{N}_.-]+/gu, '-')
      .replace(/^-+|-+$/gu, '') || 'document'
  );
}

/** Parses optional front matter, cleans the body and derives the title. */
export function buildDocument(file: SourceFile, options: CleanOptions = {}): Document {
  const raw = file.raw.replace(/^\ufeff/u, '');
  let parsed: ReturnType<typeof splitFrontMatter>;
  try {
    parsed = splitFrontMatter(raw);
  } catch (err) {
    throw new FrontMatterError(`${file.name}: ${(err as Error).message}`);
  }
  const { meta, body } = parsed;
  const { text } = cleanText(body, options);
  const id = documentId(file.name);
  const title = meta.title || deriveTitle(text, id);
  return { id, title, text, meta, hash: documentHash({ text, meta, title }) };
}

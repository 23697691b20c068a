import { documentHash } from '../hash.js';
import type { Document, DocumentMeta } from '../types.js';
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

/** Parses optional front matter (over the sidecar's metadata for the file, if any), cleans the body and derives the title. */
export function buildDocument(file: SourceFile, options: CleanOptions = {}, sidecar: DocumentMeta = {}): Document {
  const raw = file.raw.replace(/^\ufeff/u, '');
  let parsed: ReturnType<typeof splitFrontMatter>;
  try {
    parsed = splitFrontMatter(raw);
  } catch (err) {
    throw new FrontMatterError(`${file.name}: ${(err as Error).message}`);
  }
  const { body } = parsed;
  // The file's own front matter wins over the sidecar's entry for it.
  const meta: DocumentMeta = { ...sidecar, ...parsed.meta };
  const { text } = cleanText(body, options);
  const id = documentId(file.name);
  // A speech with no title is named after the meeting its metadata gives, else what its text says.
  const title = meta.title || (meta.meeting ? `在${meta.meeting}上的讲话` : deriveTitle(text, id));
  return { id, title, text, meta, hash: documentHash({ text, meta, title }) };
}

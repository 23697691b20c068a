import matter from 'gray-matter';
import { contentHash } from '../hash.js';
import type { Document, DocumentMeta } from '../types.js';
import { cleanText, type CleanOptions } from './clean.js';
import { deriveTitle } from './title.js';

export interface SourceFile {
  /** File name relative to the corpus folder, e.g. `000_7cd7c9b623be1726.txt`. */
  name: string;
  raw: string;
}

const META_KEYS = ['title', 'date', 'place', 'speaker', 'source'] as const;

/** Stable document id from a file name: the base name without extension, made URL-safe. */
export function documentId(fileName: string): string {
  const base = fileName.split(/[\\/]/u).pop() ?? fileName;
  const stem = base.replace(/\.(?:txt|md|markdown)$/iu, '');
  return stem.normalize('NFC').replace(/[^\p{L}\p{N}_.-]+/gu, '-').replace(/^-+|-+$/gu, '') || 'document';
}

function readMeta(data: Record<string, unknown>, frontMatter: string): DocumentMeta {
  const meta: DocumentMeta = {};
  for (const key of META_KEYS) {
    const value = data[key];
    // YAML turns dates into UTC instants; keep the calendar date as written.
    const written = new RegExp(`^${key}:\\s*["']?(\\d{4}-\\d{2}-\\d{2})`, 'mu').exec(frontMatter)?.[1];
    if (value instanceof Date) meta[key] = written ?? value.toISOString().slice(0, 10);
    else if (typeof value === 'string' || typeof value === 'number') meta[key] = String(value).trim();
  }
  return meta;
}

/** Parses optional front matter, cleans the body and derives the title. */
export function buildDocument(file: SourceFile, options: CleanOptions = {}): Document {
  const raw = file.raw.replace(/^\ufeff/u, '');
  let body = raw;
  let meta: DocumentMeta = {};
  if (/^---\r?\n/u.test(raw)) {
    try {
      const parsed = matter(raw);
      body = parsed.content;
      meta = readMeta(parsed.data as Record<string, unknown>, parsed.matter);
    } catch (err) {
      throw new Error(`${file.name}: the front matter is not valid YAML (${(err as Error).message.split('\n')[0]})`);
    }
  }
  const { text } = cleanText(body, options);
  const id = documentId(file.name);
  const title = meta.title || deriveTitle(text, id);
  return { id, title, text, meta, hash: contentHash(text, JSON.stringify(meta), title) };
}

import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { UserFacingError } from '../models/errors.js';
import { buildDocument } from '../../core/ingest/document.js';
import type { CleanOptions } from '../../core/ingest/clean.js';
import type { Document } from '../../core/types.js';

export const CORPUS_EXTENSIONS = new Set(['.txt', '.md', '.markdown']);

/** Reads every .txt/.md file in the corpus folder (sorted by name) into canonical documents. */
export async function loadCorpus(dir: string, options: CleanOptions = {}): Promise<Document[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => CORPUS_EXTENSIONS.has(extname(n).toLowerCase()) && !n.startsWith('.')).sort();
  } catch {
    throw new UserFacingError(`The corpus folder ${dir} does not exist or cannot be read.`, 'create it and put .txt or .md speeches in it, or set YIJU_CORPUS_DIR.');
  }
  const docs: Document[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const bytes = await readFile(join(dir, name));
    const raw = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    if (raw.includes('\ufffd') && !bytes.includes(Buffer.from('\ufffd'))) {
      throw new UserFacingError(`${join(dir, name)} is not valid UTF-8.`, 'save the file as UTF-8 (e.g. `iconv -f GBK -t UTF-8`).');
    }
    let doc: Document;
    try {
      doc = buildDocument({ name, raw }, options);
    } catch (err) {
      throw new UserFacingError((err as Error).message, `fix the front matter of ${join(dir, name)} (it must be YAML between two --- lines).`);
    }
    if (!doc.text) continue;
    const clash = seen.get(doc.id);
    if (clash) throw new UserFacingError(`${name} and ${clash} map to the same document id "${doc.id}".`, 'rename one of them.');
    seen.set(doc.id, name);
    docs.push(doc);
  }
  if (!docs.length) throw new UserFacingError(`The corpus folder ${dir} holds no .txt or .md documents.`, 'add speeches to it, or set YIJU_CORPUS_DIR.');
  return docs;
}

import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { UserFacingError } from '../../core/errors.js';
import { buildDocument } from '../../core/ingest/document.js';
import { decodeText } from '../../core/ingest/decode.js';
import { FrontMatterError } from '../../core/ingest/frontMatter.js';
import type { CleanOptions } from '../../core/ingest/clean.js';
import type { Document, DocumentMeta } from '../../core/types.js';
import { parseSourcesFile, SOURCES_FILE } from '../../core/ingest/sourcesFile.js';
import { DOMAIN_PACK_FILE, domainFromYaml, NEUTRAL_DOMAIN, type Domain } from '../../core/domain/pack.js';

export const CORPUS_EXTENSIONS = new Set(['.txt', '.md', '.markdown']);

/** A corpus file that was not indexed, and why: the rest of the corpus is served. */
export interface SkippedFile {
  file: string;
  reason: string;
}

export interface LoadedCorpus {
  documents: Document[];
  skipped: SkippedFile[];
}

/**
 * Reads every .txt/.md file in the corpus folder (sorted by name) into canonical documents. A file that cannot be
 * one (not text, bad front matter, an id another file already has) is skipped with its reason, logged, and the
 * rest are read; only a folder with no readable document at all is an error.
 */
export async function loadCorpus(dir: string, options: CleanOptions = {}, log: (line: string) => void = () => {}): Promise<LoadedCorpus> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => CORPUS_EXTENSIONS.has(extname(n).toLowerCase()) && !n.startsWith('.')).sort();
  } catch {
    throw new UserFacingError(`The corpus folder ${dir} does not exist or cannot be read.`, 'create it and put .txt or .md speeches in it, or set YIJU_CORPUS_DIR.');
  }
  const sidecar = await loadSourcesFile(dir);
  for (const name of Object.keys(sidecar)) if (!names.includes(name)) log(`corpus: ${SOURCES_FILE} describes ${name}, which is not in the corpus; ignored`);
  const documents: Document[] = [];
  const skipped: SkippedFile[] = [];
  const skip = (file: string, reason: string) => {
    skipped.push({ file, reason });
    log(`corpus: ${file} skipped: ${reason}`);
  };
  const seen = new Map<string, string>();
  for (const name of names) {
    const path = join(dir, name);
    if (!(await stat(path)).isFile()) continue;
    const decoded = decodeText(await readFile(path));
    if ('reason' in decoded) {
      skip(name, decoded.reason);
      continue;
    }
    let doc: Document;
    try {
      doc = buildDocument({ name, raw: decoded.text }, options, sidecar[name]);
    } catch (err) {
      if (!(err instanceof FrontMatterError)) throw err;
      skip(name, `${err.message} (fix the YAML keys between the two --- lines)`);
      continue;
    }
    if (!doc.text) {
      log(`corpus: ${name} has no text after cleaning; skipped`);
      continue;
    }
    const clash = seen.get(doc.id);
    if (clash) {
      skip(name, `${clash} already has the document id "${doc.id}" (rename one of them)`);
      continue;
    }
    seen.set(doc.id, name);
    documents.push(doc);
  }
  if (!documents.length) {
    const why = skipped.length ? ` (skipped: ${skipped.map((s) => `${s.file}: ${s.reason}`).join('; ')})` : '';
    throw new UserFacingError(`The corpus folder ${dir} holds no readable .txt or .md documents${why}.`, 'add speeches to it, or set YIJU_CORPUS_DIR.');
  }
  return { documents, skipped };
}

/** The corpus' domain pack (yiju.domain.yaml beside the documents), or the neutral domain when it has none. */
export async function loadDomain(dir: string): Promise<Domain> {
  const path = join(dir, DOMAIN_PACK_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return NEUTRAL_DOMAIN;
    throw new UserFacingError(`The domain pack ${path} cannot be read (${(err as Error).message}).`, 'check its permissions, or remove it to run with neutral wording.');
  }
  return domainFromYaml(text, path);
}

/** The corpus' sidecar of source metadata (yiju.sources.yaml beside the documents), or none. */
async function loadSourcesFile(dir: string): Promise<Record<string, DocumentMeta>> {
  const path = join(dir, SOURCES_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UserFacingError(`The source metadata ${path} cannot be read (${(err as Error).message}).`, 'check its permissions, or remove it.');
  }
  return parseSourcesFile(text, path);
}

import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { UserFacingError } from '../../core/errors.js';
import { buildDocument } from '../../core/ingest/document.js';
import { FrontMatterError } from '../../core/ingest/frontMatter.js';
import type { CleanOptions } from '../../core/ingest/clean.js';
import type { Document, DocumentMeta } from '../../core/types.js';
import { parseSourcesFile, SOURCES_FILE } from '../../core/ingest/sourcesFile.js';
import { DOMAIN_PACK_FILE, domainFromYaml, NEUTRAL_DOMAIN, type Domain } from '../../core/domain/pack.js';

export const CORPUS_EXTENSIONS = new Set(['.txt', '.md', '.markdown']);

/** Reads every .txt/.md file in the corpus folder (sorted by name) into canonical documents. */
export async function loadCorpus(dir: string, options: CleanOptions = {}, log: (line: string) => void = () => {}): Promise<Document[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => CORPUS_EXTENSIONS.has(extname(n).toLowerCase()) && !n.startsWith('.')).sort();
  } catch {
    throw new UserFacingError(`The corpus folder ${dir} does not exist or cannot be read.`, 'create it and put .txt or .md speeches in it, or set YIJU_CORPUS_DIR.');
  }
  const sidecar = await loadSourcesFile(dir);
  for (const name of Object.keys(sidecar)) if (!names.includes(name)) log(`corpus: ${SOURCES_FILE} describes ${name}, which is not in the corpus; ignored`);
  const docs: Document[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const path = join(dir, name);
    if (!(await stat(path)).isFile()) continue;
    let raw: string;
    try {
      raw = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(path));
    } catch {
      throw new UserFacingError(`${path} is not valid UTF-8.`, 'save the file as UTF-8 (e.g. `iconv -f GBK -t UTF-8`).');
    }
    let doc: Document;
    try {
      doc = buildDocument({ name, raw }, options, sidecar[name]);
    } catch (err) {
      if (!(err instanceof FrontMatterError)) throw err;
      throw new UserFacingError(err.message, `fix the front matter of ${join(dir, name)} (YAML keys between two --- lines).`);
    }
    if (!doc.text) {
      log(`corpus: ${name} has no text after cleaning; skipped`);
      continue;
    }
    const clash = seen.get(doc.id);
    if (clash) throw new UserFacingError(`${name} and ${clash} map to the same document id "${doc.id}".`, 'rename one of them.');
    seen.set(doc.id, name);
    docs.push(doc);
  }
  if (!docs.length) throw new UserFacingError(`The corpus folder ${dir} holds no .txt or .md documents.`, 'add speeches to it, or set YIJU_CORPUS_DIR.');
  return docs;
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

import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDocument } from '../../src/core/ingest/document.js';
import type { Document, DocumentMeta } from '../../src/core/types.js';
import { parseSourcesFile, SOURCES_FILE } from '../../src/core/ingest/sourcesFile.js';
import { DOMAIN_PACK_FILE } from '../../src/core/domain/pack.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CORPUS_DIR = join(REPO_ROOT, 'corpus');

/** The corpus file names, sorted. */
export const CORPUS_FILES: readonly string[] = readdirSync(CORPUS_DIR)
  .filter((n) => n.endsWith('.txt'))
  .sort();

/** Finds the corpus file whose name starts with `prefix` (e.g. "002"). */
export function corpusFile(prefix: string): string {
  const name = CORPUS_FILES.find((n) => n.startsWith(prefix));
  if (!name) throw new Error(`no corpus file starts with ${prefix}`);
  return name;
}

export function readCorpusRaw(name: string): string {
  return readFileSync(join(CORPUS_DIR, name), 'utf8');
}

/** The corpus' sidecar of source metadata (yiju.sources.yaml), by file name. */
export const CORPUS_SOURCES: Record<string, DocumentMeta> = parseSourcesFile(readFileSync(join(CORPUS_DIR, SOURCES_FILE), 'utf8'));

/** A corpus document as Yiju loads it (with its sidecar metadata); `{ sidecar: false }`: from its text alone. */
export function corpusDocument(prefix: string, { sidecar = true } = {}): Document {
  const name = corpusFile(prefix);
  return buildDocument({ name, raw: readCorpusRaw(name) }, {}, sidecar ? CORPUS_SOURCES[name] : {});
}

export function corpusDocuments(): Document[] {
  return CORPUS_FILES.map((name) => buildDocument({ name, raw: readCorpusRaw(name) }, {}, CORPUS_SOURCES[name]));
}

/** A temporary folder under the OS temp dir; `cleanup` removes it. */
export function makeTempDir(prefix = 'yiju-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copies the given corpus files (by prefix, e.g. "000"), the corpus' domain pack and its source metadata into `dir/corpus` and returns that folder. */
export function copyCorpus(dir: string, prefixes: readonly string[]): string {
  const target = join(dir, 'corpus');
  mkdirSync(target, { recursive: true });
  cpSync(join(CORPUS_DIR, DOMAIN_PACK_FILE), join(target, DOMAIN_PACK_FILE));
  cpSync(join(CORPUS_DIR, SOURCES_FILE), join(target, SOURCES_FILE));
  for (const p of prefixes) {
    const name = corpusFile(p);
    cpSync(join(CORPUS_DIR, name), join(target, name));
  }
  return target;
}

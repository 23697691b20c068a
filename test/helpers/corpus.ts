import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDocument } from '../../src/core/ingest/document.js';
import type { Document } from '../../src/core/types.js';
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

export function corpusDocument(prefix: string): Document {
  const name = corpusFile(prefix);
  return buildDocument({ name, raw: readCorpusRaw(name) });
}

export function corpusDocuments(): Document[] {
  return CORPUS_FILES.map((name) => buildDocument({ name, raw: readCorpusRaw(name) }));
}

/** A temporary folder under the OS temp dir; `cleanup` removes it. */
export function makeTempDir(prefix = 'yiju-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copies the given corpus files (by prefix, e.g. "000") and the corpus' domain pack into `dir/corpus` and returns that folder. */
export function copyCorpus(dir: string, prefixes: readonly string[]): string {
  const target = join(dir, 'corpus');
  mkdirSync(target, { recursive: true });
  cpSync(join(CORPUS_DIR, DOMAIN_PACK_FILE), join(target, DOMAIN_PACK_FILE));
  for (const p of prefixes) {
    const name = corpusFile(p);
    cpSync(join(CORPUS_DIR, name), join(target, name));
  }
  return target;
}

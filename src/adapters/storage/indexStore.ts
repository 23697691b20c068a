import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import type { IndexManifest } from '../../core/indexing/buildIndex.js';
import { Bm25Index, type Bm25Snapshot } from '../../core/lexical/bm25.js';
import { CorpusIndex } from '../../core/retrieve/corpusIndex.js';
import type { Chunk, Document } from '../../core/types.js';
import { UserFacingError } from '../../core/errors.js';
import { CorruptVectorIndexError, HnswVectorStore } from '../vectorstores/hnswStore.js';

export class IndexCorruptError extends UserFacingError {
  override name = 'IndexCorruptError';
  constructor(dir: string, detail: string) {
    super(`The index in ${dir} is damaged: ${detail}.`, 'run `npm run index -- --rebuild` (Yiju also rebuilds it automatically at start-up).');
  }
}

/** The shape a manifest must have before anything else is trusted. */
const StoredManifestSchema = z.object({
  schema: z.number(),
  embedder: z.object({ id: z.string(), dimensions: z.number() }),
  chunking: z.object({ chunkSize: z.number(), embedTitle: z.boolean() }),
  lexicon: z.string(),
  corpusHash: z.string(),
  documents: z.array(z.object({ id: z.string(), hash: z.string(), title: z.string(), chunks: z.number() })),
  counts: z.object({ documents: z.number(), chunks: z.number(), vectors: z.number() }),
  files: z.record(z.string(), z.number()),
  checksums: z.record(z.string(), z.string()),
});

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

const SpanSchema = z.object({ docId: z.string(), start: z.number().int(), end: z.number().int() });
const DocumentsSchema = z.array(z.object({ id: z.string(), title: z.string(), text: z.string(), hash: z.string(), meta: z.record(z.string(), z.string()) }));
const ChunksSchema = z.array(SpanSchema.extend({ id: z.string(), index: z.number().int(), text: z.string(), sentences: z.array(SpanSchema) }));
const Bm25Schema = z.object({
  k1: z.number(),
  b: z.number(),
  ids: z.array(z.string()),
  lengths: z.array(z.number()),
  postings: z.record(z.string(), z.array(z.tuple([z.number(), z.number()]))),
});

/** Manifest plus the byte size and SHA-256 of every file written with it: a truncated, edited or swapped file is caught. */
interface StoredManifest extends IndexManifest {
  files: Record<string, number>;
  checksums: Record<string, string>;
}

const FILES = { documents: 'documents.json', chunks: 'chunks.json', bm25: 'bm25.json', vectors: 'vectors.hnsw', labels: 'vectors.hnsw.labels.json' };
const MANIFEST = 'manifest.json';
const LOCK = 'build.lock';

/**
 * A build lock its holder has not refreshed for this long is abandoned (its process died: kill -9, a crash, a
 * container restart) and is taken over; a live holder refreshes it every half of this (proper-lockfile's heartbeat
 * on the lock's mtime). Not the holder's PID: in a container the next process often gets the same one.
 */
export const LOCK_STALE_MS = 10_000;
/** How often a waiting process tries the lock again. */
const LOCK_RETRY_MS = 200;

export interface StoredIndex {
  manifest: IndexManifest;
  documents: Document[];
  chunks: Chunk[];
  index: CorpusIndex;
  vectors: HnswVectorStore;
}

/** Persists the index under the data folder: JSON metadata, the hnswlib graph, and a manifest written last. */
export class IndexStore {
  constructor(readonly dir: string) {}

  get exists(): boolean {
    return existsSync(join(this.dir, MANIFEST));
  }

  /** Reads only the manifest (null when there is no index yet). */
  readManifest(): StoredManifest | null {
    const path = join(this.dir, MANIFEST);
    if (!existsSync(path)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new IndexCorruptError(this.dir, `${MANIFEST} is not valid JSON (${(err as Error).message})`);
    }
    if (parsed && typeof parsed === 'object' && 'files' in parsed && !('checksums' in parsed))
      throw new IndexCorruptError(this.dir, `${MANIFEST} was written by an older Yiju (no file checksums)`);
    const check = StoredManifestSchema.safeParse(parsed);
    if (!check.success)
      throw new IndexCorruptError(
        this.dir,
        `${MANIFEST} is not an index manifest (${check.error.issues[0]?.path.join('.') || 'root'}: ${check.error.issues[0]?.message})`,
      );
    return parsed as StoredManifest;
  }

  load(): StoredIndex | null {
    const manifest = this.readManifest();
    if (!manifest) return null;
    for (const [name, size] of Object.entries(manifest.files)) {
      const path = join(this.dir, name);
      if (!existsSync(path)) throw new IndexCorruptError(this.dir, `${name} is missing`);
      const actual = statSync(path).size;
      if (actual !== size) throw new IndexCorruptError(this.dir, `${name} has ${actual} bytes, ${size} were written`);
      // Same size is not same content (a file swapped in from another index of a near-identical corpus).
      if (manifest.checksums[name] !== sha256(path))
        throw new IndexCorruptError(this.dir, `${name} is not the file written with this manifest (checksum differs)`);
    }
    const documents = this.readJson(FILES.documents, DocumentsSchema) as Document[];
    const chunks = this.readJson(FILES.chunks, ChunksSchema) as Chunk[];
    const bm25 = Bm25Index.fromJSON(this.readJson(FILES.bm25, Bm25Schema) as Bm25Snapshot);
    if (documents.length !== manifest.counts.documents || chunks.length !== manifest.counts.chunks || bm25.size !== chunks.length) {
      throw new IndexCorruptError(this.dir, 'its files disagree with the manifest on the number of documents or passages');
    }
    let vectors: HnswVectorStore;
    try {
      vectors = HnswVectorStore.load(join(this.dir, FILES.vectors));
    } catch (err) {
      if (err instanceof CorruptVectorIndexError) throw new IndexCorruptError(this.dir, err.message);
      throw err;
    }
    if (vectors.size !== manifest.counts.vectors) {
      throw new IndexCorruptError(this.dir, `the vector index holds ${vectors.size} vectors, the manifest expects ${manifest.counts.vectors}`);
    }
    const { files: _files, checksums: _checksums, ...plain } = manifest;
    return { manifest: plain, documents, chunks, index: new CorpusIndex(documents, chunks, bm25, vectors), vectors };
  }

  /** Writes every file under a temporary name, renames them into place, and writes the manifest last. */
  save(manifest: IndexManifest, documents: Document[], chunks: Chunk[], bm25: Bm25Index, vectors: HnswVectorStore): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, `.tmp-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    writeFileSync(join(tmp, FILES.documents), JSON.stringify(documents));
    writeFileSync(join(tmp, FILES.chunks), JSON.stringify(chunks));
    writeFileSync(join(tmp, FILES.bm25), JSON.stringify(bm25.toJSON()));
    vectors.save(join(tmp, FILES.vectors));
    const files: Record<string, number> = {};
    const checksums: Record<string, string> = {};
    // The old manifest goes first, so a crash mid-way leaves "no index" rather than a mismatched one.
    // (Recursively: a file of the index replaced by a folder is damage like any other, and is replaced.)
    rmSync(join(this.dir, MANIFEST), { recursive: true, force: true });
    for (const name of Object.values(FILES)) {
      files[name] = statSync(join(tmp, name)).size;
      checksums[name] = sha256(join(tmp, name));
      if (existsSync(join(this.dir, name)) && statSync(join(this.dir, name)).isDirectory()) rmSync(join(this.dir, name), { recursive: true });
      renameSync(join(tmp, name), join(this.dir, name));
    }
    rmSync(tmp, { recursive: true, force: true });
    const stored: StoredManifest = { ...manifest, files, checksums };
    writeFileSync(join(this.dir, `${MANIFEST}.tmp`), JSON.stringify(stored, null, 2));
    renameSync(join(this.dir, `${MANIFEST}.tmp`), join(this.dir, MANIFEST));
  }

  /**
   * Runs `work` holding the index's lock, so two processes never build and write the same index at once. The lock
   * is a directory refreshed while held (proper-lockfile) and released on every exit path: when `work` ends, and on
   * exit or SIGTERM/SIGINT (signal-exit). One nobody refreshes for `staleMs` is taken over; a live holder is waited
   * for up to `waitMs`.
   */
  async withLock<T>(work: () => Promise<T>, options: { waitMs?: number; staleMs?: number } = {}): Promise<T> {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, LOCK);
    // Earlier versions left a plain file (with a PID) here; it is not a lock any process can hold now.
    if (existsSync(path) && !statSync(path).isDirectory()) rmSync(path, { force: true });
    const waitUntil = Date.now() + (options.waitMs ?? 120_000);
    let release: () => Promise<void>;
    for (;;) {
      try {
        release = await lockfile.lock(this.dir, {
          lockfilePath: path,
          realpath: false,
          stale: options.staleMs ?? LOCK_STALE_MS,
          // Another process took over a lock this one held while frozen: its build still ends with an atomic manifest.
          onCompromised: () => undefined,
        });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
        if (Date.now() > waitUntil)
          throw new UserFacingError(
            `Another Yiju process is building the index in ${this.dir}.`,
            `wait for it to finish; a lock whose process has died is taken over within ${Math.round((options.staleMs ?? LOCK_STALE_MS) / 1000)} s (${path}).`,
          );
        await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
      }
    }
    try {
      return await work();
    } finally {
      await release().catch(() => undefined);
    }
  }

  clear(): void {
    for (const name of [MANIFEST, ...Object.values(FILES)]) rmSync(join(this.dir, name), { recursive: true, force: true });
  }

  private readJson(name: string, schema: z.ZodType): unknown {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(join(this.dir, name), 'utf8'));
    } catch (err) {
      throw new IndexCorruptError(this.dir, `${name} is unreadable (${(err as Error).message})`);
    }
    const check = schema.safeParse(data);
    if (!check.success)
      throw new IndexCorruptError(
        this.dir,
        `${name} does not have the expected shape (${check.error.issues[0]?.path.join('.') || 'root'}: ${check.error.issues[0]?.message})`,
      );
    return data;
  }
}

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

function lockIsStale(path: string, staleMs: number): boolean {
  try {
    const { pid, at } = JSON.parse(readFileSync(path, 'utf8')) as { pid: number; at: number };
    if (Date.now() - at > staleMs) return true;
    process.kill(pid, 0); // throws when no such process exists
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

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
    rmSync(join(this.dir, MANIFEST), { force: true });
    for (const name of Object.values(FILES)) {
      files[name] = statSync(join(tmp, name)).size;
      checksums[name] = sha256(join(tmp, name));
      renameSync(join(tmp, name), join(this.dir, name));
    }
    rmSync(tmp, { recursive: true, force: true });
    const stored: StoredManifest = { ...manifest, files, checksums };
    writeFileSync(join(this.dir, `${MANIFEST}.tmp`), JSON.stringify(stored, null, 2));
    renameSync(join(this.dir, `${MANIFEST}.tmp`), join(this.dir, MANIFEST));
  }

  /**
   * Runs `work` holding the index's lock file, so two processes never build
   * and write the same index at once. A lock left by a dead process, or older
   * than `staleMs`, is taken over.
   */
  async withLock<T>(work: () => Promise<T>, options: { waitMs?: number; staleMs?: number } = {}): Promise<T> {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, LOCK);
    const waitUntil = Date.now() + (options.waitMs ?? 120_000);
    for (;;) {
      try {
        writeFileSync(path, JSON.stringify({ pid: process.pid, at: Date.now() }), { flag: 'wx' });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (lockIsStale(path, options.staleMs ?? 600_000)) {
          rmSync(path, { force: true });
          continue;
        }
        if (Date.now() > waitUntil)
          throw new UserFacingError(
            `Another Yiju process is building the index in ${this.dir}.`,
            `wait for it to finish, or delete ${path} if no such process runs.`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    try {
      return await work();
    } finally {
      rmSync(path, { force: true });
    }
  }

  clear(): void {
    for (const name of [MANIFEST, ...Object.values(FILES)]) rmSync(join(this.dir, name), { force: true });
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

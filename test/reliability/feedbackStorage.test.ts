/**
 * Feedback on a full or failing disk (issue 14.1): a 201 means the whole record is on disk; a record that cannot be
 * stored is answered 507 with a JSON reason, and the file only ever holds whole records. With a fault-injecting file
 * handle (short writes, ENOSPC, EIO) and, where the machine allows a mount namespace, a real 64 KiB tmpfs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JsonlFeedbackStore, type FeedbackFile } from '../../src/adapters/feedback/jsonlFeedbackStore.js';
import { FeedbackNotStoredError, type FeedbackRecord } from '../../src/core/feedback/types.js';
import type { Runtime } from '../../src/node/runtime.js';
import { makeTempDir, REPO_ROOT } from '../helpers/corpus.js';
import { buildRuntime, expectError, makeApp, postJson } from '../helpers/http.js';

/** A real file handle that behaves like a disk with `room` bytes left: a write that does not fit is short, the next fails with ENOSPC. */
function diskWithRoom(room: number, fault: { code?: string; on?: 'write' | 'datasync' } = {}) {
  let left = room;
  return async (path: string): Promise<FeedbackFile> => {
    const fh = await open(path, 'a+');
    const fail = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
    return {
      stat: fh.stat.bind(fh),
      read: fh.read.bind(fh),
      truncate: async (len?: number) => {
        const before = (await fh.stat()).size;
        await fh.truncate(len);
        left += before - (len ?? 0);
      },
      close: fh.close.bind(fh),
      datasync: async () => {
        if (fault.on === 'datasync') throw fail(fault.code ?? 'EIO');
        return fh.datasync();
      },
      write: (async (buffer: Buffer, offset = 0, length = buffer.length - offset) => {
        if (fault.on === 'write') throw fail(fault.code ?? 'EIO');
        if (left <= 0) throw fail('ENOSPC');
        const n = Math.min(length, left);
        const r = await fh.write(buffer, offset, n);
        left -= r.bytesWritten;
        return r;
      }) as FeedbackFile['write'],
    };
  };
}

const record = (id: string, comment = '意见'.repeat(750)): FeedbackRecord => ({ id, receivedAt: '2026-01-02T03:04:05.000Z', rating: 'down', comment });

/** Every line of the file is a whole record (and the file ends with a newline when it has any). */
function wholeRecords(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  if (text) expect(text.endsWith('\n'), 'the file ends with a whole line').toBe(true);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as FeedbackRecord).id);
}

let tmp: { dir: string; cleanup: () => void };
let path: string;
beforeEach(() => {
  tmp = makeTempDir('yiju-feedback-disk-');
  path = join(tmp.dir, 'feedback.jsonl');
});
afterEach(() => tmp.cleanup());

describe('JsonlFeedbackStore on a disk that fills up', () => {
  it('sequential appends: acknowledged ones are whole in the file; the first that does not fit fails disk_full and leaves no torn line', async () => {
    const store = new JsonlFeedbackStore(path, diskWithRoom(16 * 1024));
    const stored: string[] = [];
    let failure: unknown = null;
    for (let i = 0; i < 20 && !failure; i++) {
      await store.append(record(`r${i}`)).then(
        () => stored.push(`r${i}`),
        (err: unknown) => (failure = err),
      );
    }
    expect(failure).toBeInstanceOf(FeedbackNotStoredError);
    expect((failure as FeedbackNotStoredError).reason).toBe('disk_full');
    expect(stored.length).toBeGreaterThan(0);
    expect(wholeRecords(path)).toEqual(stored);
    await store.close();
  });

  it('concurrent appends: every acknowledged record is whole in the file, and no rejected one is', async () => {
    const store = new JsonlFeedbackStore(path, diskWithRoom(24 * 1024));
    const ids = Array.from({ length: 21 }, (_, i) => `c${i}`);
    const results = await Promise.allSettled(ids.map((id) => store.append(record(id))));
    const acknowledged = ids.filter((_, i) => results[i]!.status === 'fulfilled');
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(FeedbackNotStoredError);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(acknowledged.length).toBeLessThan(ids.length);
    expect(wholeRecords(path).sort()).toEqual([...acknowledged].sort());
    await store.close();
  });

  it('EIO on write, or on the sync: the record is not acknowledged (write_failed) and not left in the file', async () => {
    for (const on of ['write', 'datasync'] as const) {
      writeFileSync(path, `${JSON.stringify(record('before', 'x'))}\n`);
      const store = new JsonlFeedbackStore(path, diskWithRoom(1 << 20, { on, code: 'EIO' }));
      const err = await store.append(record('lost')).catch((e: unknown) => e);
      expect(err, on).toBeInstanceOf(FeedbackNotStoredError);
      expect((err as FeedbackNotStoredError).reason, on).toBe('write_failed');
      expect(wholeRecords(path), on).toEqual(['before']);
      await store.close();
    }
  });

  it('once space is free again, appends succeed and the file is still valid', async () => {
    let room = 6000;
    const store = new JsonlFeedbackStore(path, (p) => diskWithRoom(room)(p));
    expect(await store.append(record('a')).then(() => 'ok')).toBe('ok');
    await expect(store.append(record('b'))).rejects.toBeInstanceOf(FeedbackNotStoredError);
    room = 1 << 20; // the handle is reopened after a failure
    await store.append(record('c'));
    expect(wholeRecords(path)).toEqual(['a', 'c']);
    await store.close();
  });
});

describe('POST /api/feedback when the record cannot be stored', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await buildRuntime();
  }, 180_000);

  it('a full disk → 507 insufficient_storage with a JSON reason, never 201; the file holds exactly the 201s', async () => {
    const { app } = makeApp(rt, {}, { feedback: new JsonlFeedbackStore(path, diskWithRoom(12 * 1024)) });
    const created: string[] = [];
    let refused: Response | null = null;
    for (let i = 0; i < 20 && !refused; i++) {
      const res = await app.request('/api/feedback', postJson({ rating: 'down', question: '初信初访应该怎么处理？', comment: '意见'.repeat(750) }));
      if (res.status === 201) created.push(((await res.json()) as { id: string }).id);
      else refused = res;
    }
    expect(refused).not.toBeNull();
    await expectError(refused!, 507, 'insufficient_storage', /disk is full/u);
    expect(wholeRecords(path)).toEqual(created);
  });

  it('an I/O error → 507 storage_failed', async () => {
    const { app } = makeApp(rt, {}, { feedback: new JsonlFeedbackStore(path, diskWithRoom(1 << 20, { on: 'write', code: 'EIO' })) });
    await expectError(await app.request('/api/feedback', postJson({ rating: 'up', question: '初信初访应该怎么处理？' })), 507, 'storage_failed');
  });
});

/** Whether this machine lets a test mount a tmpfs in its own mount namespace (root, or unprivileged user namespaces). */
const canMountTmpfs = (() => {
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d"'], { encoding: 'utf8' });
  return r.status === 0;
})();

describe.skipIf(!canMountTmpfs)('on a real 64 KiB tmpfs', () => {
  it('sequential and concurrent 1,500-character comments: the file holds exactly the acknowledged records, whole', () => {
    const script = join(tmp.dir, 'fill.mjs');
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
import { JsonlFeedbackStore } from ${JSON.stringify(join(REPO_ROOT, 'src/adapters/feedback/jsonlFeedbackStore.ts'))};
const dir = process.argv[2];
const rec = (id) => ({ id, receivedAt: '2026-01-02T03:04:05.000Z', rating: 'down', comment: '意见'.repeat(750) });
const out = { sequential: [], concurrent: [], errors: [], lines: {} };
const seq = new JsonlFeedbackStore(dir + '/seq.jsonl');
for (let i = 0; i < 40; i++) {
  try { await seq.append(rec('s' + i)); out.sequential.push('s' + i); } catch (e) { out.errors.push(e.name + ':' + e.reason); break; }
}
out.lines.seq = readFileSync(dir + '/seq.jsonl', 'utf8');
await seq.close();
const { rmSync } = await import('node:fs');
rmSync(dir + '/seq.jsonl');
const con = new JsonlFeedbackStore(dir + '/con.jsonl');
const ids = Array.from({ length: 60 }, (_, i) => 'c' + i);
const settled = await Promise.allSettled(ids.map((id) => con.append(rec(id))));
settled.forEach((r, i) => r.status === 'fulfilled' ? out.concurrent.push(ids[i]) : out.errors.push(r.reason.name + ':' + r.reason.reason));
out.lines.con = readFileSync(dir + '/con.jsonl', 'utf8');
await con.close();
console.log(JSON.stringify(out));
`,
    );
    const mount = join(tmp.dir, 'disk');
    const r = spawnSync(
      'unshare',
      ['-rm', 'sh', '-c', `mkdir -p "$1" && mount -t tmpfs -o size=64k tmpfs "$1" && exec "$2" --import tsx "$3" "$1"`, 'sh', mount, process.execPath, script],
      { encoding: 'utf8', cwd: REPO_ROOT, timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      sequential: string[];
      concurrent: string[];
      errors: string[];
      lines: Record<'seq' | 'con', string>;
    };
    const ids = (text: string) =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as FeedbackRecord).id);
    expect(out.sequential.length).toBeGreaterThan(5);
    expect(out.sequential.length).toBeLessThan(40);
    expect(ids(out.lines.seq)).toEqual(out.sequential);
    expect(out.concurrent.length).toBeLessThan(60);
    expect(ids(out.lines.con).sort()).toEqual([...out.concurrent].sort());
    expect(new Set(out.errors)).toEqual(new Set(['FeedbackNotStoredError:disk_full']));
  });
});

/**
 * JsonlFeedbackStore: durable JSON Lines appends (group commit on an O_APPEND
 * handle), read back after restarts, with torn lines, from several writers.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonlFeedbackStore } from '../../../src/adapters/feedback/jsonlFeedbackStore.js';
import type { FeedbackRecord } from '../../../src/core/feedback/types.js';
import { withDeadline } from '../../helpers/async.js';
import { makeTempDir, REPO_ROOT } from '../../helpers/corpus.js';

let tmp: { dir: string; cleanup: () => void };
let path: string;
const stores: JsonlFeedbackStore[] = [];

beforeEach(() => {
  tmp = makeTempDir('yiju-feedback-');
  path = join(tmp.dir, 'feedback', 'feedback.jsonl');
});

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  tmp.cleanup();
});

/** A store whose handle is closed after the test. */
function store(p = path): JsonlFeedbackStore {
  const s = new JsonlFeedbackStore(p);
  stores.push(s);
  return s;
}

const record = (id: string, extra: Partial<FeedbackRecord> = {}): FeedbackRecord => ({
  id,
  receivedAt: '2025-01-02T03:04:05.000Z',
  rating: 'up',
  question: '初信初访应该怎么处理？',
  ...extra,
});

/** The file's lines (without the final newline's empty remainder), each parsed; fails on a line that is not JSON. */
function fileRecords(p = path): FeedbackRecord[] {
  const text = readFileSync(p, 'utf8');
  expect(text.endsWith('\n'), 'the file must end with a complete line').toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      try {
        return JSON.parse(line) as FeedbackRecord;
      } catch {
        throw new Error(`line ${i + 1} is not valid JSON: ${line.slice(0, 200)}`);
      }
    });
}

const DEADLINE = 20_000;

describe('JsonlFeedbackStore', () => {
  it('readAll on a store whose file does not exist yet is empty', () => {
    expect(store().readAll()).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });

  it('an appended record is on disk, as one JSON line, when append resolves', async () => {
    const s = store();
    const r = record('fb_1', { rating: 'down', comment: '引用不准确 "quoted" \\ 换行\n第二行', answerId: 'ans_1' });
    await s.append(r);
    // Read the file directly (not through the store): the line is there already.
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(r)}\n`);
    expect(fileRecords()).toEqual([r]);
  });

  it('appends survive a restart: a new store on the same path reads them all back, oldest first', async () => {
    const first = store();
    const written = [record('fb_a'), record('fb_b', { rating: 'down' }), record('fb_c', { comment: '很好' })];
    for (const r of written) await first.append(r);
    await first.close();

    const second = store();
    expect(second.readAll()).toEqual(written);
  });

  it('500 concurrent appends all land exactly once, each a valid JSON line, in call order', async () => {
    const s = store();
    const records = Array.from({ length: 500 }, (_, i) => record(`fb_${i}`, { comment: `评论 ${i} ${'字'.repeat(i % 37)}` }));
    await withDeadline(Promise.all(records.map((r) => s.append(r))), DEADLINE, 'concurrent appends never all resolved');

    const lines = fileRecords();
    expect(lines).toHaveLength(500);
    expect(new Set(lines.map((r) => r.id)).size).toBe(500);
    expect(lines).toEqual(records);
    expect(s.readAll()).toEqual(records);
  });

  it('two store instances on one file (two writers) appending concurrently lose nothing and never interleave lines', async () => {
    const a = store();
    const b = store();
    // Long lines, so a torn or interleaved write would show.
    const big = 'x'.repeat(4000);
    const fromA = Array.from({ length: 200 }, (_, i) => record(`a_${i}`, { comment: `A${i}:${big}` }));
    const fromB = Array.from({ length: 200 }, (_, i) => record(`b_${i}`, { comment: `B${i}:${big}`, rating: 'down' }));
    const all: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) all.push(a.append(fromA[i]!), b.append(fromB[i]!));
    await withDeadline(Promise.all(all), DEADLINE, 'concurrent appends from two stores never all resolved');

    const lines = fileRecords();
    expect(lines).toHaveLength(400);
    const byId = new Map(lines.map((r) => [r.id, r]));
    expect(byId.size).toBe(400);
    for (const r of [...fromA, ...fromB]) expect(byId.get(r.id), `record ${r.id}`).toEqual(r);
    // Each writer's own records keep their order.
    expect(lines.filter((r) => r.id.startsWith('a_'))).toEqual(fromA);
    expect(lines.filter((r) => r.id.startsWith('b_'))).toEqual(fromB);
  });

  it('two real processes appending to one file lose nothing and never interleave lines', async () => {
    mkdirSync(join(tmp.dir, 'feedback'), { recursive: true });
    const script = (tag: string) => `
      import { JsonlFeedbackStore } from ${JSON.stringify(join(REPO_ROOT, 'src/adapters/feedback/jsonlFeedbackStore.ts'))};
      const s = new JsonlFeedbackStore(${JSON.stringify(path)});
      const big = 'y'.repeat(3000);
      await Promise.all(Array.from({ length: 300 }, (_, i) => s.append({ id: '${tag}_' + i, receivedAt: 'now', rating: 'up', comment: '${tag}' + i + big })));
      await s.close();
    `;
    const run = (tag: string) =>
      new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(tag)], {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.once('error', reject);
        child.once('exit', (code) => resolve(code));
      });
    const codes = await withDeadline(Promise.all([run('p'), run('q')]), 60_000, 'the writer processes never finished');
    expect(codes).toEqual([0, 0]);

    const lines = fileRecords();
    expect(lines).toHaveLength(600);
    const ids = new Set(lines.map((r) => r.id));
    expect(ids.size).toBe(600);
    for (const tag of ['p', 'q']) {
      const own = lines.filter((r) => r.id.startsWith(`${tag}_`));
      expect(own.map((r) => r.id)).toEqual(Array.from({ length: 300 }, (_, i) => `${tag}_${i}`));
      for (const [i, r] of own.entries()) expect(r.comment).toBe(`${tag}${i}${'y'.repeat(3000)}`);
    }
  }, 60_000);

  it('flush() waits for every pending write', async () => {
    const s = store();
    const settled: string[] = [];
    const records = Array.from({ length: 50 }, (_, i) => record(`fb_${i}`));
    for (const r of records) void s.append(r).then(() => settled.push(r.id));
    await withDeadline(s.flush(), DEADLINE, 'flush never resolved');
    // Everything is on disk once flush resolves.
    expect(fileRecords().map((r) => r.id)).toEqual(records.map((r) => r.id));
    // flush on an idle store resolves too.
    await withDeadline(s.flush(), DEADLINE, 'flush on an idle store never resolved');
    await Promise.resolve();
    expect(settled).toHaveLength(50);
  });

  it('flush() waits for appends made while a write is in flight (a second batch)', async () => {
    const s = store();
    const firstBatch = s.append(record('fb_first'));
    // These arrive while the first write is in flight and form the next batch.
    const later = [record('fb_l1'), record('fb_l2'), record('fb_l3')];
    for (const r of later) void s.append(r);
    await withDeadline(s.flush(), DEADLINE, 'flush never resolved');
    expect(fileRecords().map((r) => r.id)).toEqual(['fb_first', 'fb_l1', 'fb_l2', 'fb_l3']);
    await firstBatch;
  });

  it('close() flushes; a new store then appends after the existing lines', async () => {
    const first = store();
    const early = Array.from({ length: 20 }, (_, i) => record(`early_${i}`));
    const pending = early.map((r) => first.append(r));
    await withDeadline(first.close(), DEADLINE, 'close never resolved');
    await Promise.all(pending);
    expect(fileRecords()).toEqual(early);

    const second = store();
    const late = [record('late_1', { rating: 'down' }), record('late_2')];
    for (const r of late) await second.append(r);
    expect(fileRecords()).toEqual([...early, ...late]);
    expect(second.readAll()).toEqual([...early, ...late]);
  });

  it('a closed store can still append (it reopens the file)', async () => {
    const s = store();
    await s.append(record('before'));
    await s.close();
    await withDeadline(s.append(record('after')), DEADLINE, 'append after close never resolved');
    expect(fileRecords().map((r) => r.id)).toEqual(['before', 'after']);
  });

  it('readAll skips a torn final line (a write cut by power loss)', () => {
    mkdirSync(join(tmp.dir, 'feedback'), { recursive: true });
    const good = [record('fb_1'), record('fb_2')];
    writeFileSync(path, `${good.map((r) => JSON.stringify(r)).join('\n')}\n{"id":"fb_torn","receivedAt":"2025-01-0`);
    expect(store().readAll()).toEqual(good);
  });

  it('after a torn final line, later appends still parse: nothing appended is lost', async () => {
    mkdirSync(join(tmp.dir, 'feedback'), { recursive: true });
    const good = [record('fb_1'), record('fb_2')];
    writeFileSync(path, `${good.map((r) => JSON.stringify(r)).join('\n')}\n{"id":"fb_torn","receivedAt":"2025-01-0`);

    const s = store();
    const after = [record('fb_3', { rating: 'down' }), record('fb_4')];
    for (const r of after) await s.append(r);
    await s.close();

    // Every record whose append resolved must be readable (the torn one may be dropped).
    expect(store().readAll()).toEqual([...good, ...after]);
  });

  it('a torn line in the middle (two writers, one died mid-line) does not hide the records around it', async () => {
    mkdirSync(join(tmp.dir, 'feedback'), { recursive: true });
    writeFileSync(path, `${JSON.stringify(record('fb_1'))}\n{"id":"fb_torn","rat\n${JSON.stringify(record('fb_2'))}\n`);
    const s = store();
    await s.append(record('fb_3'));
    expect(s.readAll().map((r) => r.id)).toEqual(['fb_1', 'fb_2', 'fb_3']);
  });

  it('blank lines and a missing final newline on a complete line are tolerated by readAll', () => {
    mkdirSync(join(tmp.dir, 'feedback'), { recursive: true });
    writeFileSync(path, `\n${JSON.stringify(record('fb_1'))}\n\n   \n${JSON.stringify(record('fb_2'))}`);
    expect(
      store()
        .readAll()
        .map((r) => r.id),
    ).toEqual(['fb_1', 'fb_2']);
  });

  it('append into a folder that does not exist yet creates it (nested)', async () => {
    const deep = join(tmp.dir, 'a', 'b', 'c', 'feedback.jsonl');
    const s = store(deep);
    await s.append(record('fb_deep'));
    expect(fileRecords(deep)).toEqual([record('fb_deep')]);
  });

  it('a failing append (the path is a directory) rejects instead of hanging; flush still resolves', async () => {
    mkdirSync(path, { recursive: true }); // feedback.jsonl is a folder
    const s = store();
    const results = await withDeadline(
      Promise.allSettled([s.append(record('x1')), s.append(record('x2')), s.append(record('x3'))]),
      DEADLINE,
      'a failing append never settled',
    );
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(Error);
      expect(String(((r as PromiseRejectedResult).reason as NodeJS.ErrnoException).code)).toMatch(/EISDIR/u);
    }
    await withDeadline(s.flush(), DEADLINE, 'flush after a failed append never resolved');
  });

  it('a failing append whose folder cannot be created (a file is in the way) rejects with an error', async () => {
    writeFileSync(join(tmp.dir, 'blocker'), 'not a folder');
    const s = store(join(tmp.dir, 'blocker', 'feedback.jsonl'));
    await expect(withDeadline(s.append(record('x')), DEADLINE, 'append never settled')).rejects.toThrow(/ENOTDIR|EEXIST/u);
  });

  it('after a failure the same store recovers once the path is usable again', async () => {
    mkdirSync(path, { recursive: true });
    const s = store();
    await expect(withDeadline(s.append(record('lost')), DEADLINE, 'append never settled')).rejects.toThrow();
    rmSync(path, { recursive: true });
    await withDeadline(s.append(record('fb_ok')), DEADLINE, 'append after recovery never settled');
    expect(fileRecords()).toEqual([record('fb_ok')]);
  });

  it('existing content written by someone else is kept; appends go after it', async () => {
    mkdirSync(join(tmp.dir, 'feedback'), { recursive: true });
    appendFileSync(path, `${JSON.stringify(record('fb_old'))}\n`);
    const s = store();
    await s.append(record('fb_new'));
    expect(fileRecords().map((r) => r.id)).toEqual(['fb_old', 'fb_new']);
  });
});

import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FeedbackRecord, FeedbackStore } from '../../core/feedback/types.js';

/**
 * Feedback as JSON Lines, appended and synced to disk before `append` resolves.
 * Appends that arrive while a write is in flight are written together (group
 * commit), one `write` per batch on an O_APPEND handle, so concurrent requests —
 * or several processes sharing the data folder — never interleave or lose lines.
 */
export class JsonlFeedbackStore implements FeedbackStore {
  private handle: Promise<FileHandle> | null = null;
  private pending: { line: string; done: () => void; fail: (err: unknown) => void }[] = [];
  private writing: Promise<void> | null = null;

  constructor(readonly path: string) {}

  append(record: FeedbackRecord): Promise<void> {
    return new Promise((done, fail) => {
      this.pending.push({ line: `${JSON.stringify(record)}\n`, done, fail });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0);
        try {
          const fh = await this.file();
          await fh.write(batch.map((b) => b.line).join(''));
          await fh.datasync();
          for (const b of batch) b.done();
        } catch (err) {
          this.handle = null; // reopen next time (the folder may have been removed)
          for (const b of batch) b.fail(err);
        }
      }
    } finally {
      this.writing = null;
    }
  }

  private file(): Promise<FileHandle> {
    return (this.handle ??= (async () => {
      mkdirSync(dirname(this.path), { recursive: true });
      const fh = await open(this.path, 'a+');
      // A line torn by a crash mid-write must not swallow the next record: end it first.
      const { size } = await fh.stat();
      if (size > 0) {
        const last = Buffer.alloc(1);
        await fh.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) await fh.write('\n');
      }
      return fh;
    })());
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    const handle = this.handle;
    this.handle = null;
    if (handle) await (await handle).close();
  }

  /** Every stored record, oldest first; a torn last line (power loss mid-write) is skipped. */
  readAll(): FeedbackRecord[] {
    if (!existsSync(this.path)) return [];
    const out: FeedbackRecord[] = [];
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as FeedbackRecord);
      } catch {
        // skip a partial line
      }
    }
    return out;
  }
}

import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FeedbackNotStoredError, type FeedbackRecord, type FeedbackStore } from '../../core/feedback/types.js';

/** What the store needs of a file: Node's FileHandle, or a fault-injecting one in tests. */
export type FeedbackFile = Pick<FileHandle, 'write' | 'datasync' | 'stat' | 'read' | 'truncate' | 'close'>;
export type OpenFeedbackFile = (path: string) => Promise<FeedbackFile>;

/** Errors that mean there is no room: the disk is full or the quota is spent. */
const NO_ROOM = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/**
 * Feedback as JSON Lines, appended and synced to disk before `append` resolves.
 * Appends that arrive while a write is in flight are written together (group
 * commit), one `write` per batch on an O_APPEND handle, so concurrent requests —
 * or several processes sharing the data folder — never interleave or lose lines.
 * A batch is acknowledged only when every byte is written and synced; a batch that
 * cannot be (a full disk, a short write, an I/O error) is cut off the file again,
 * so the file only ever holds whole records, and each append fails with
 * FeedbackNotStoredError.
 */
export class JsonlFeedbackStore implements FeedbackStore {
  private handle: Promise<FeedbackFile> | null = null;
  private pending: { line: string; done: () => void; fail: (err: unknown) => void }[] = [];
  private writing: Promise<void> | null = null;

  constructor(
    readonly path: string,
    private readonly openFile: OpenFeedbackFile = (p) => open(p, 'a+'),
  ) {}

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
          await this.write(batch.map((b) => b.line).join(''));
          for (const b of batch) b.done();
        } catch (err) {
          // Reopen next time (the folder may have been removed, the disk freed): this handle is closed.
          const failed = this.handle;
          this.handle = null;
          void failed?.then((fh) => fh.close()).catch(() => undefined);
          for (const b of batch) b.fail(err);
        }
      }
    } finally {
      this.writing = null;
    }
  }

  /** Appends the text whole and syncs it, or cuts off what was written and throws FeedbackNotStoredError. */
  private async write(text: string): Promise<void> {
    const bytes = Buffer.from(text);
    let fh: FeedbackFile | null = null;
    let before = -1;
    let written = 0;
    try {
      fh = await this.file();
      before = (await fh.stat()).size;
      // A short write (the disk filled mid-record) is continued; one that writes nothing means there is no room.
      while (written < bytes.length) {
        const { bytesWritten } = await fh.write(bytes, written, bytes.length - written);
        if (bytesWritten <= 0) throw Object.assign(new Error('no bytes written'), { code: 'ENOSPC' });
        written += bytesWritten;
      }
      await fh.datasync();
    } catch (err) {
      if (fh && written > 0) await this.cutOff(fh, before, written);
      const code = (err as NodeJS.ErrnoException).code ?? '';
      throw new FeedbackNotStoredError(NO_ROOM.has(code) ? 'disk_full' : 'write_failed', code || (err as Error).message);
    }
  }

  /**
   * Removes a batch's partial bytes, when the file ends with them (another process appending since would be cut
   * too; then the torn line stays and is skipped on reading, and ended before the next append).
   */
  private async cutOff(fh: FeedbackFile, before: number, written: number): Promise<void> {
    try {
      if ((await fh.stat()).size === before + written) await fh.truncate(before);
    } catch {
      // Best effort: a torn line is skipped by readAll and ended when the file is next opened.
    }
  }

  private file(): Promise<FeedbackFile> {
    return (this.handle ??= (async () => {
      mkdirSync(dirname(this.path), { recursive: true });
      const fh = await this.openFile(this.path);
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

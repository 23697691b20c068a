import { UserFacingError } from '../errors.js';

/** A user's rating of an answer. */
export interface FeedbackRecord {
  /** Unique id of this feedback entry. */
  id: string;
  /** ISO 8601 time the server received it. */
  receivedAt: string;
  rating: 'up' | 'down';
  /** The `id` of the rated answer, when the client has it. */
  answerId?: string;
  question?: string;
  comment?: string;
  /** What was answered, when the server still remembers the answer id. */
  answer?: { text: string; mode: string; grounded: boolean; citations: { docId: string; start: number; end: number }[] };
}

/** Durable, append-only feedback storage. */
export interface FeedbackStore {
  /** Resolves once the record is stored durably. */
  append(record: FeedbackRecord): Promise<void>;
  /** Resolves once every pending append has been written (graceful shutdown). */
  flush(): Promise<void>;
  /** Flushes and releases the store (files, connections). */
  close?(): Promise<void>;
}

/**
 * A record that could not be stored whole: the disk is full (or the quota spent), or the file cannot be written.
 * Nothing of it stays in the store; the HTTP API answers 507 with the reason.
 */
export class FeedbackNotStoredError extends UserFacingError {
  constructor(
    readonly reason: 'disk_full' | 'write_failed',
    /** The system's error code (ENOSPC, EIO, EISDIR …), or its message when it has none. */
    readonly code: string,
  ) {
    super(
      reason === 'disk_full' ? `Feedback was not stored: the disk is full (${code}).` : `Feedback was not stored: the file could not be written (${code}).`,
      reason === 'disk_full' ? 'free space on the disk that holds the data folder (YIJU_DATA_DIR)' : 'check that the data folder (YIJU_DATA_DIR) is writable',
    );
    this.name = 'FeedbackNotStoredError';
  }
}

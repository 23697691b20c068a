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

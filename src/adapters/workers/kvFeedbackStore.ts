import type { FeedbackRecord, FeedbackStore } from '../../core/feedback/types.js';

/** The part of a Workers KV namespace binding the store uses. */
export interface KvNamespaceBinding {
  put(key: string, value: string, options?: { metadata?: unknown }): Promise<void>;
}

/** Feedback key: time first, so `wrangler kv key list --prefix feedback:2026-11` lists a month in order. */
export const feedbackKey = (r: FeedbackRecord) => `feedback:${r.receivedAt}:${r.id}`;

/**
 * Feedback in Workers KV, one key per record (KV has no append; one key each
 * means concurrent writers never overwrite each other). `put` resolves once KV
 * has accepted the write.
 */
export class KvFeedbackStore implements FeedbackStore {
  constructor(private readonly kv: KvNamespaceBinding) {}

  async append(record: FeedbackRecord): Promise<void> {
    await this.kv.put(feedbackKey(record), JSON.stringify(record), { metadata: { rating: record.rating } });
  }

  async flush(): Promise<void> {}
}

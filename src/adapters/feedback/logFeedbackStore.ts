import type { FeedbackRecord, FeedbackStore } from '../../core/feedback/types.js';
import type { Logger } from '../../http/log.js';

/**
 * Feedback written as a structured log line (`msg: "feedback"`), for a
 * runtime with no storage configured, such as a Worker without a KV
 * namespace: the records land in Workers Logs / `wrangler tail`.
 */
export class LogFeedbackStore implements FeedbackStore {
  constructor(private readonly logger: Logger) {}

  async append(record: FeedbackRecord): Promise<void> {
    this.logger.log('info', { msg: 'feedback', feedback: record });
  }

  async flush(): Promise<void> {}
}

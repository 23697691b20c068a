import { describe, expect, it } from 'vitest';
import { LogFeedbackStore } from '../../../src/adapters/feedback/logFeedbackStore.js';
import { memoryLogger } from '../../helpers/http.js';

describe('LogFeedbackStore', () => {
  it('writes each record as one structured log line', async () => {
    const logger = memoryLogger();
    const store = new LogFeedbackStore(logger);
    const record = { id: 'fb_1', receivedAt: '2026-11-23T10:00:00.000Z', rating: 'up' as const, answerId: 'ans_1' };
    await store.append(record);
    await store.flush();
    expect(logger.records).toEqual([{ level: 'info', msg: 'feedback', feedback: record }]);
  });
});

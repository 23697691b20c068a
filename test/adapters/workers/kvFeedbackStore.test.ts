import { describe, expect, it } from 'vitest';
import { feedbackKey, KvFeedbackStore } from '../../../src/adapters/workers/kvFeedbackStore.js';
import type { FeedbackRecord } from '../../../src/core/feedback/types.js';

const record = (id: string, receivedAt: string): FeedbackRecord => ({ id, receivedAt, rating: 'down', question: '初信初访？', comment: '不准' });

describe('KvFeedbackStore', () => {
  it('puts one key per record, time first, with the whole record as JSON', async () => {
    const puts: { key: string; value: string; options?: { metadata?: unknown } }[] = [];
    const store = new KvFeedbackStore({ put: async (key, value, options) => void puts.push({ key, value, options }) });
    await Promise.all([store.append(record('fb_1', '2026-11-23T10:00:00.000Z')), store.append(record('fb_2', '2026-11-23T10:00:00.000Z'))]);
    await store.flush();
    expect(puts.map((p) => p.key)).toEqual(['feedback:2026-11-23T10:00:00.000Z:fb_1', 'feedback:2026-11-23T10:00:00.000Z:fb_2']);
    expect(JSON.parse(puts[0]!.value)).toEqual(record('fb_1', '2026-11-23T10:00:00.000Z'));
    expect(puts[0]!.options).toEqual({ metadata: { rating: 'down' } });
    expect(feedbackKey(record('x', 't'))).toBe('feedback:t:x');
  });

  it('does not resolve before KV has accepted the write, and passes its failure on', async () => {
    const store = new KvFeedbackStore({ put: async () => Promise.reject(new Error('KV PUT failed: 429 Too Many Requests')) });
    await expect(store.append(record('fb_3', '2026-11-23T10:00:01.000Z'))).rejects.toThrow(/429/u);
  });
});

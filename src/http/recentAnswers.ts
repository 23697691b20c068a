import { LRUCache } from 'lru-cache';
import type { AnswerResult } from '../core/answer/types.js';
import type { FeedbackRecord } from '../core/feedback/types.js';

interface Remembered {
  question: string;
  answer: NonNullable<FeedbackRecord['answer']>;
}

/**
 * The last answers given, by id, so feedback that names an answer id is
 * stored with the question and the answer it rates. Bounded; forgotten on restart.
 */
export class RecentAnswers {
  private readonly cache: LRUCache<string, Remembered>;

  constructor(max = 2000) {
    this.cache = new LRUCache({ max });
  }

  remember(id: string, question: string, result: AnswerResult): void {
    this.cache.set(id, {
      question,
      answer: {
        text: result.answer,
        mode: result.mode,
        grounded: result.grounded,
        citations: result.citations.map(({ docId, start, end }) => ({ docId, start, end })),
      },
    });
  }

  get(id: string): Remembered | undefined {
    return this.cache.get(id);
  }
}

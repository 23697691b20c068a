import type { Answer } from './api.js';

/** A question and its finished answer, as kept across reloads. */
export interface SavedExchange {
  question: string;
  answer: Answer;
}

/** How many exchanges are kept (the oldest go first): a long day's work, well within the browser's quota. */
const KEPT = 30;

/**
 * The conversation kept in the browser's local storage, per Yiju server, so a reload does not lose it; 新对话
 * clears it. Storage that is unavailable (private mode, blocked, full) or holds something unreadable is ignored:
 * the chat works without it.
 */
export function conversationStore(key: string, storage: Storage | null = localStorageOrNull()) {
  return {
    load(): SavedExchange[] {
      try {
        const saved = JSON.parse(storage?.getItem(key) ?? '[]') as unknown;
        return Array.isArray(saved) ? saved.filter(isExchange).slice(-KEPT) : [];
      } catch {
        return [];
      }
    },
    /** Adds one exchange to what is kept now (another tab's included: two chat tabs do not overwrite each other). */
    add(exchange: SavedExchange): void {
      this.save([...this.load().filter((e) => e.answer.id !== exchange.answer.id), exchange]);
    },
    save(exchanges: readonly SavedExchange[]): void {
      try {
        storage?.setItem(key, JSON.stringify(exchanges.slice(-KEPT)));
      } catch {
        // full or blocked: the conversation is simply not kept
      }
    },
    clear(): void {
      try {
        storage?.removeItem(key);
      } catch {
        // blocked
      }
    },
  };
}

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** What the chat needs of a kept exchange to show it again; anything else (an older format, a hand edit) is dropped. */
function isExchange(x: unknown): x is SavedExchange {
  const e = x as SavedExchange;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.question === 'string' &&
    typeof e.answer === 'object' &&
    e.answer !== null &&
    typeof e.answer.id === 'string' &&
    typeof e.answer.answer === 'string' &&
    typeof e.answer.mode === 'string' &&
    Array.isArray(e.answer.citations) &&
    e.answer.citations.every(
      (c) =>
        typeof c === 'object' &&
        c !== null &&
        typeof c.n === 'number' &&
        typeof c.docId === 'string' &&
        typeof c.title === 'string' &&
        typeof c.text === 'string' &&
        typeof c.start === 'number' &&
        typeof c.end === 'number' &&
        (c.cite === undefined || typeof c.cite === 'string'),
    )
  );
}

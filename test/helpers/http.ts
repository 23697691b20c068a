import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { FeedbackRecord, FeedbackStore } from '../../src/core/feedback/types.js';
import { createApp } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/deps.js';
import type { Logger, LogLevel, LogRecord } from '../../src/http/log.js';
import { HttpOptionsSchema, type HttpOptions } from '../../src/http/options.js';
import type { Runtime } from '../../src/node/runtime.js';
import { appDepsFor } from '../../src/node/server.js';

/** A logger that keeps its records (check the one line per request, and what it leaves out). */
export function memoryLogger(): Logger & { records: (LogRecord & { level: LogLevel })[] } {
  const records: (LogRecord & { level: LogLevel })[] = [];
  return { records, log: (level, record) => void records.push({ level, ...record }) };
}

/** Feedback kept in memory. */
export class MemoryFeedbackStore implements FeedbackStore {
  readonly records: FeedbackRecord[] = [];
  async append(record: FeedbackRecord): Promise<void> {
    this.records.push(record);
  }
  async flush(): Promise<void> {}
}

/** HTTP options with defaults, rate limiting off unless the test turns it on. */
export const httpOptions = (overrides: Partial<HttpOptions> = {}): HttpOptions => ({ ...HttpOptionsSchema.parse({ rateLimit: 0 }), ...overrides });

/**
 * The app over a real runtime, with in-memory feedback and logs:
 *   const { app, logger, feedback } = makeApp(rt, { apiKeys: ['k1'] });
 *   const res = await app.request('/api/ask', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question }) });
 */
export function makeApp(rt: Runtime, options: Partial<HttpOptions> = {}, deps: Partial<AppDeps> = {}) {
  const logger = memoryLogger();
  const feedback = new MemoryFeedbackStore();
  const app = createApp({ ...appDepsFor(rt, logger), feedback, options: httpOptions({ topK: rt.config.retrieval.topK, ...options }), ...deps });
  return { app, logger, feedback };
}

/** A JSON POST for app.request() or fetch(). */
export const postJson = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** Parses a text/event-stream body into its events (with eventsource-parser, as browsers do). */
export function parseSSE(text: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  parser.feed(text);
  return events;
}

/** Reads an SSE response incrementally, yielding each event as it arrives. */
export async function* readSSE(res: Response): AsyncGenerator<EventSourceMessage> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => queue.push(e) });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
      while (queue.length) yield queue.shift()!;
    }
    while (queue.length) yield queue.shift()!;
  } finally {
    reader.releaseLock();
  }
}

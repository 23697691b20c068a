/**
 * The one HTTP helper module of the tests (app-level, end-to-end, reliability, workers, browser):
 *
 * - building the app: buildRuntime (a real runtime over the corpus), makeApp (the Hono app over it,
 *   with in-memory feedback and logs), httpOptions, memoryLogger, MemoryFeedbackStore;
 * - requests: postJson, rawPost (raw bytes), streamedJson (no Content-Length);
 * - responses: parseSSE / readSSE (event streams), expectError (the one error shape),
 *   expectNoStack (no stack or internal path), JSON_TYPE, stringsIn.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { expect } from 'vitest';
import { loadConfig } from '../../src/node/config.js';
import type { FeedbackRecord, FeedbackStore } from '../../src/core/feedback/types.js';
import type { ChatModel } from '../../src/core/ports.js';
import { createApp } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/deps.js';
import type { Logger, LogLevel, LogRecord } from '../../src/http/log.js';
import { HttpOptionsSchema, type HttpOptions } from '../../src/http/options.js';
import { createRuntime, type Runtime } from '../../src/node/runtime.js';
import { appDepsFor } from '../../src/node/server.js';
import { dataDirWithIndex, e2eEnv } from './e2eIndex.js';

// ---- Building the app ----

/**
 * A real runtime over the corpus with the local embedder (one per test file). The index is built once per
 * test run and copied into the file's own data folder (see dataDirWithIndex), removed when the worker exits.
 */
export async function buildRuntime(options: { chat?: ChatModel; env?: Record<string, string> } = {}): Promise<Runtime> {
  const tmp = await dataDirWithIndex('yiju-http-');
  process.once('exit', tmp.cleanup);
  return createRuntime(loadConfig(e2eEnv(tmp.dir, options.env)), { embedder: tmp.embedder, ...(options.chat ? { chat: options.chat } : {}) });
}

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
  const app = createApp({ ...appDepsFor(rt, logger, feedback), options: httpOptions({ topK: rt.config.retrieval.topK, ...options }), ...deps });
  return { app, logger, feedback };
}

// ---- Requests ----

/** A JSON POST for app.request() or fetch(). */
export const postJson = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** A request body sent as raw bytes (no Content-Type unless given, no Content-Length). */
export const rawPost = (body: Uint8Array | string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers,
  body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
});

/** A JSON body streamed in chunks, so the request carries no Content-Length. */
export function streamedJson(text: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }): RequestInit {
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 256) controller.enqueue(bytes.slice(i, i + 256));
      controller.close();
    },
  });
  return { method: 'POST', headers, body, duplex: 'half' } as RequestInit;
}

// ---- Responses ----

export const JSON_TYPE = /^application\/json\b/u;

/** No stack frames, source paths or internals in a response body. */
export function expectNoStack(text: string): void {
  expect(text).not.toMatch(/\n\s*at \S/u);
  expect(text).not.toMatch(/^\s*at .+:\d+:\d+\)?$/mu);
  expect(text).not.toMatch(/\.[cm]?[jt]sx?:\d+/u);
  expect(text).not.toContain('node_modules');
  expect(text).not.toContain('/src/');
}

export interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * The one error shape: the exact status, JSON content type, `{"error":{"code","message"}}`
 * and nothing else, a non-empty message, never a stack. Returns the parsed body.
 */
export async function expectError(res: Response, status: number, code: string, message?: RegExp | string): Promise<ErrorBody> {
  const text = await res.text();
  const info = `${res.status} ${text}`;
  expect(res.status, info).toBe(status);
  expect(res.headers.get('content-type'), info).toMatch(JSON_TYPE);
  const body = JSON.parse(text) as ErrorBody;
  expect(Object.keys(body), info).toEqual(['error']);
  expect(Object.keys(body.error).sort(), info).toEqual(['code', 'message']);
  expect(body.error.code, info).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.trim().length, info).toBeGreaterThan(0);
  if (message !== undefined) {
    if (typeof message === 'string') expect(body.error.message, info).toBe(message);
    else expect(body.error.message, info).toMatch(message);
  }
  expectNoStack(text);
  return body;
}

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

/** Every string anywhere inside a value (for "the question is in no log record"). */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...stringsIn(v)]);
  return [];
}

/**
 * Shared pieces of the HTTP route tests (not a test file itself): the real
 * runtime over the corpus, and the checks every error response must pass.
 */
import { expect } from 'vitest';
import { loadConfig } from '../../src/node/config.js';
import type { ChatModel } from '../../src/core/ports.js';
import { createRuntime, type Runtime } from '../../src/node/runtime.js';
import { dataDirWithIndex, e2eEnv } from '../helpers/e2eIndex.js';

export const JSON_TYPE = /^application\/json\b/u;

/**
 * A real runtime over the corpus with the local embedder (one per test file). The index is built once per
 * test run and copied into the file's own data folder (see dataDirWithIndex), removed when the worker exits.
 */
export async function buildRuntime(options: { chat?: ChatModel; env?: Record<string, string> } = {}): Promise<Runtime> {
  const tmp = await dataDirWithIndex('yiju-http-');
  process.once('exit', tmp.cleanup);
  return createRuntime(loadConfig(e2eEnv(tmp.dir, options.env)), { embedder: tmp.embedder, ...(options.chat ? { chat: options.chat } : {}) });
}

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

/** Every string anywhere inside a value (for "the question is in no log record"). */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...stringsIn(v)]);
  return [];
}

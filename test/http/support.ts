/**
 * Shared pieces of the HTTP route tests (not a test file itself): the real
 * runtime over the corpus, and the checks every error response must pass.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import type { ChatModel } from '../../src/core/ports.js';
import { createRuntime, type Runtime } from '../../src/node/runtime.js';
import { CORPUS_DIR, REPO_ROOT } from '../helpers/corpus.js';

export const JSON_TYPE = /^application\/json\b/u;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The data folder the HTTP test files share, in the OS temp dir. Building the index
 * takes ~8 s and opening a built one ~0.5 s, so the first file builds it and the
 * others open it (openIndex takes a lock, so parallel files wait for the build).
 * The folder is named by a hash of everything that decides the index — the source,
 * the corpus and the locked dependencies — so a change to any of them gets a fresh
 * folder, never a stale index; folders of other versions are removed after a day.
 */
function sharedDataDir(): string {
  const hash = createHash('sha256');
  for (const root of ['src', 'corpus']) {
    const base = join(REPO_ROOT, root);
    const files = (readdirSync(base, { recursive: true }) as string[]).filter((f) => statSync(join(base, f)).isFile()).sort();
    for (const f of files) hash.update(`${root}/${f}\0`).update(readFileSync(join(base, f))).update('\0');
  }
  hash.update(readFileSync(join(REPO_ROOT, 'package-lock.json')));
  const prefix = `yiju-http-index-${process.getuid?.() ?? 'user'}-`;
  const name = `${prefix}${hash.digest('hex').slice(0, 16)}`;
  for (const other of readdirSync(tmpdir()).filter((n) => n.startsWith(prefix) && n !== name)) {
    const path = join(tmpdir(), other);
    if (Date.now() - statSync(path).mtimeMs > DAY_MS) rmSync(path, { recursive: true, force: true });
  }
  return join(tmpdir(), name);
}

/** A real runtime over the corpus with the local embedder (one per test file), on the shared index. */
export async function buildRuntime(options: { chat?: ChatModel; env?: Record<string, string> } = {}): Promise<Runtime> {
  const config = loadConfig({
    ...process.env,
    YIJU_DATA_DIR: sharedDataDir(),
    YIJU_CORPUS_DIR: CORPUS_DIR,
    YIJU_EMBEDDER: 'local',
    OPENAI_API_KEY: '',
    YIJU_CHAT_MODEL: '',
    ...options.env,
  });
  return createRuntime(config, options.chat ? { chat: options.chat } : {});
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

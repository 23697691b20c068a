import { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIChatModel, type OpenAIChatOptions } from '../../../src/adapters/chat/openaiChatModel.js';
import { ChatCancelledError, ChatModelError, ChatRateLimitedError, ChatTimeoutError, ChatUpstreamError } from '../../../src/core/ports.js';
import { loadConfig } from '../../../src/node/config.js';
import type { ChatMessage } from '../../../src/core/ports.js';
import { chatModelFor as createChatModel } from '../../../src/node/runtime.js';
import { startOpenAIChatServer, type OpenAIChatServer } from '../../helpers/openaiChatServer.js';
import { recordingOn, withDeadline } from '../../helpers/async.js';

let server: OpenAIChatServer;

beforeAll(async () => {
  server = await startOpenAIChatServer({ reply: '默认回复[1]。' });
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => {
  expect(server.pending(), 'the test left scripted replies or behaviours unused').toEqual({ replies: 0, behaviours: 0 });
});

const MESSAGES: ChatMessage[] = [
  { role: 'system', content: '只依据资料回答。' },
  { role: 'user', content: '<资料>\n[1] 乡镇坚持每半月一排查制度。\n</资料>\n\n<问题>\n乡镇多久排查一次？\n</问题>' },
];

const model = (extra: Partial<OpenAIChatOptions> = {}) =>
  new OpenAIChatModel({ apiKey: 'sk-test', baseURL: server.baseURL, model: 'test-chat', timeoutMs: 500, maxRetries: 0, ...extra });

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const piece of stream) out.push(piece);
  return out;
}

/** Chat requests made while `run` runs. */
const recording = <T>(run: () => Promise<T>) => recordingOn(server, run);

describe('OpenAIChatModel against an OpenAI-compatible server', () => {
  it('is identified by its model', () => {
    expect(model().id).toBe('openai:test-chat');
  });

  it('complete() sends the model, the messages and a low temperature, and returns the content', async () => {
    server.script('乡镇坚持每半月一排查制度[1]。');
    const { value, requests } = await recording(() => model().complete(MESSAGES));
    expect(value).toBe('乡镇坚持每半月一排查制度[1]。');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers.authorization).toBe('Bearer sk-test');
    expect(requests[0]!.body).toMatchObject({ model: 'test-chat', messages: MESSAGES, temperature: 0.2 });
    expect(requests[0]!.body.stream).toBeFalsy();
  });

  it('uses the configured temperature', async () => {
    const { requests } = await recording(() => model({ temperature: 0 }).complete(MESSAGES));
    expect(requests[0]!.body.temperature).toBe(0);
  });

  it('stream() yields the content deltas (not the empty role chunk) that add up to the reply', async () => {
    server.script('乡镇坚持每半月一排查制度[1]，村居要及时排查[1]。');
    const { value: pieces, requests } = await recording(() => collect(model().stream(MESSAGES)));
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.every((p) => p.length > 0)).toBe(true);
    expect(pieces.join('')).toBe('乡镇坚持每半月一排查制度[1]，村居要及时排查[1]。');
    expect(requests[0]!.body).toMatchObject({ model: 'test-chat', stream: true, messages: MESSAGES });
  });

  it('an empty completion is "" (streamed: no pieces)', async () => {
    server.next({ kind: 'empty' }, { kind: 'empty' });
    expect(await model().complete(MESSAGES)).toBe('');
    expect(await collect(model().stream(MESSAGES))).toEqual([]);
  });

  it('a 429 with retry-after is retried and then succeeds', async () => {
    server.next({ kind: 'rateLimit', retryAfterSeconds: 0.05 });
    server.script('好[1]。');
    const { value, requests } = await recording(() => model({ maxRetries: 1 }).complete(MESSAGES));
    expect(value).toBe('好[1]。');
    expect(requests).toHaveLength(2);
  });

  it('a 429 that persists past the retries is a ChatRateLimitedError with the retry-after it was given', async () => {
    server.next({ kind: 'rateLimit', retryAfterSeconds: 2 });
    const err = await model({ maxRetries: 0 })
      .complete(MESSAGES)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatRateLimitedError);
    expect((err as ChatRateLimitedError).kind).toBe('rate_limited');
    expect((err as ChatRateLimitedError).status).toBe(429);
    expect((err as ChatRateLimitedError).retryAfterMs).toBe(2000);
  });

  it('a 500 rejects with the status once the retries are used up', async () => {
    server.next({ kind: 'error' }, { kind: 'error' });
    const { value: err, requests } = await recording(() =>
      model({ maxRetries: 1 })
        .complete(MESSAGES)
        .catch((e: unknown) => e),
    );
    // The port's typed failure, carrying the status; the SDK's error is its cause.
    expect(err).toBeInstanceOf(ChatUpstreamError);
    expect((err as ChatUpstreamError).kind).toBe('upstream');
    expect((err as ChatUpstreamError).status).toBe(500);
    expect((err as ChatUpstreamError).cause).toBeInstanceOf(APIError);
    expect(requests).toHaveLength(2);
  });

  it('a request that gets no answer times out after timeoutMs', async () => {
    server.next({ kind: 'hang' });
    const started = Date.now();
    const err = await model({ timeoutMs: 300 })
      .complete(MESSAGES)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatTimeoutError);
    expect((err as ChatTimeoutError).kind).toBe('timeout');
    expect((err as ChatTimeoutError).cause).toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a 200 that is not a chat completion (an HTML page) is an error, not an answer', async () => {
    server.next({ kind: 'notJson' });
    const err = await model()
      .complete(MESSAGES)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatUpstreamError);
    expect((err as Error).message).toMatch(/did not return a chat completion/u);
  });

  it('a cut stream throws after the deltas it delivered', async () => {
    server.next({ kind: 'cut', afterChunks: 2 });
    server.script('乡镇坚持每半月一排查制度[1]。');
    const pieces: string[] = [];
    const err = await (async () => {
      for await (const p of model().stream(MESSAGES)) pieces.push(p);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatModelError);
    expect(pieces.join('')).toBe('乡镇坚持');
  });

  it('an aborted signal cancels the request', async () => {
    server.next({ kind: 'hang' });
    const controller = new AbortController();
    const pending = model({ timeoutMs: 10_000 }).complete(MESSAGES, { signal: controller.signal });
    while (server.pending().behaviours) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatCancelledError);
    expect((err as ChatCancelledError).cause).toBeInstanceOf(APIUserAbortError);
  });

  it('a stream that stalls after its first delta fails within about timeoutMs, instead of waiting forever', async () => {
    server.next({ kind: 'hang', afterChunks: 1 });
    server.script('乡镇坚持每半月一排查制度[1]。');
    const started = Date.now();
    const outcome = collect(model({ timeoutMs: 300 }).stream(MESSAGES)).then(
      () => 'completed',
      (e: unknown) => e,
    );
    const err = await withDeadline(outcome, 3_000, 'still waiting on a stalled stream 3 s after a 300 ms timeout');
    expect(err).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a stream that trickles on past the overall deadline fails at the deadline, like complete()', async () => {
    // A delta every 150 ms never trips the 300 ms idle timeout; 40 of them would take 6 s.
    server.next({ kind: 'trickle', intervalMs: 150, content: '乡'.repeat(40) });
    const started = Date.now();
    const pieces: string[] = [];
    const outcome = (async () => {
      for await (const p of model({ timeoutMs: 300, maxRetries: 0 }).stream(MESSAGES)) pieces.push(p);
    })().then(
      () => 'completed',
      (e: unknown) => e,
    );
    // Deadline: 300 ms × (0 retries + 1) + 1 s.
    const err = await withDeadline(outcome, 5_000, 'a trickling stream ran on past its deadline');
    expect(err).toBeInstanceOf(ChatTimeoutError);
    expect((err as Error).message).toMatch(/no complete answer within 1300 ms/u);
    expect(pieces.length).toBeGreaterThan(0);
    expect(pieces.join('').length).toBeLessThan(40);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a completion whose body stalls after the headers fails within about timeoutMs, instead of waiting forever', async () => {
    // Headers at once, then one slice of the JSON body a minute: the SDK's timeout stops at the headers.
    server.next({ kind: 'trickle', intervalMs: 60_000 });
    const started = Date.now();
    const outcome = model({ timeoutMs: 300 })
      .complete(MESSAGES)
      .then(
        () => 'completed',
        (e: unknown) => e,
      );
    const err = await withDeadline(outcome, 3_000, 'still waiting on a stalled completion body 3 s after a 300 ms timeout');
    expect(err).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('createChatModel (configuration)', () => {
  it('is null without a chat model or key: the extractive mode', () => {
    expect(createChatModel(loadConfig({}))).toBeNull();
    expect(createChatModel(loadConfig({ OPENAI_API_KEY: 'sk-x' }))).toBeNull();
  });

  it('is an OpenAIChatModel with an API key and YIJU_CHAT_MODEL', () => {
    const chat = createChatModel(loadConfig({ OPENAI_API_KEY: 'sk-x', YIJU_CHAT_MODEL: 'qwen-plus', OPENAI_BASE_URL: server.baseURL }));
    expect(chat).toBeInstanceOf(OpenAIChatModel);
    expect(chat!.id).toBe('openai:qwen-plus');
  });

  it('YIJU_CHAT_MODEL without a key is a configuration error', () => {
    expect(() => loadConfig({ YIJU_CHAT_MODEL: 'qwen-plus' })).toThrow(/YIJU_CHAT_MODEL needs OPENAI_API_KEY/u);
  });
});

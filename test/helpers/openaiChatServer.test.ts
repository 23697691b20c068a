import OpenAI, { APIConnectionTimeoutError, APIError, InternalServerError } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHAT, chatCompletionChunks, splitText, startOpenAIChatServer, type OpenAIChatServer } from './openaiChatServer.js';

let server: OpenAIChatServer;

beforeEach(async () => {
  server = await startOpenAIChatServer({ reply: (body) => `模型${body.model}答：初信初访要及时化解[1]。` });
});
afterEach(async () => {
  const started = Date.now();
  await server.close();
  expect(Date.now() - started).toBeLessThan(500);
});

const client = (extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}) =>
  new OpenAI({ apiKey: 'sk-test-chat', baseURL: server.baseURL, maxRetries: 0, timeout: 2_000, logLevel: 'off', ...extra });

const ask = (question = '初信初访怎么处理？') => ({
  model: 'test-chat',
  messages: [
    { role: 'system' as const, content: '只根据给出的段落回答，并用[n]标注出处。' },
    { role: 'user' as const, content: question },
  ],
});

async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('local OpenAI chat-completions server, with the openai SDK as client', () => {
  it('answers a non-streamed completion in the real wire format', async () => {
    server.script('初信初访要及时化解[1]。');
    const completion = await client().chat.completions.create(ask());
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'test-chat',
      choices: [{ index: 0, message: { role: 'assistant', content: '初信初访要及时化解[1]。' }, finish_reason: 'stop' }],
      usage: { completion_tokens: [...'初信初访要及时化解[1]。'].length },
    });
    expect(completion.id).toMatch(/^chatcmpl-/u);
    expect(completion.created).toBeGreaterThan(1_600_000_000);
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    expect(completion._request_id).toBe('req_test_1');
  });

  it('uses the reply function when nothing is scripted, and scripted replies in order before it', async () => {
    server.script('甲[1]。', '乙[9]。');
    const c = client();
    const contents = [];
    for (let i = 0; i < 3; i++) contents.push((await c.chat.completions.create(ask())).choices[0]!.message.content);
    expect(contents).toEqual(['甲[1]。', '乙[9]。', '模型test-chat答：初信初访要及时化解[1]。']);
    expect(server.pending()).toEqual({ replies: 0, behaviours: 0 });
  });

  it('streams chat.completion.chunk deltas that reassemble to the answer, then [DONE]', async () => {
    server.script('初信初访要及时化解[1]，依法按政策办理[2]。');
    const chunks = await collect(await client().chat.completions.create({ ...ask(), stream: true, stream_options: { include_usage: true } }));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'test-chat')).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const withChoices = chunks.filter((c) => c.choices.length > 0);
    const contentDeltas = withChoices.map((c) => c.choices[0]!.delta.content ?? '').filter(Boolean);
    expect(contentDeltas.length).toBeGreaterThan(5);
    expect(contentDeltas.join('')).toBe('初信初访要及时化解[1]，依法按政策办理[2]。');
    expect(withChoices.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(withChoices.slice(0, -1).every((c) => c.choices[0]!.finish_reason === null)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: [...'初信初访要及时化解[1]，依法按政策办理[2]。'].length } });
  });

  it('builds the same chunks as the wire format helpers (no usage chunk unless asked)', () => {
    const chunks = chatCompletionChunks({ model: 'm', messages: [] }, splitText('解[1]。', 2));
    expect(chunks.map((c) => (c as { choices: { delta: unknown }[] }).choices[0]!.delta)).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { content: '解[' },
      { content: '1]' },
      { content: '。' },
      {},
    ]);
  });

  it('a 429 with retry-after is retried by the SDK and then succeeds', async () => {
    server.next({ kind: 'rateLimit', retryAfterSeconds: 0.05 });
    server.script('初信初访要及时化解[1]。');
    const started = Date.now();
    const completion = await client({ maxRetries: 1 }).chat.completions.create(ask());
    expect(completion.choices[0]!.message.content).toBe('初信初访要及时化解[1]。');
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    const calls = server.chatRequests();
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.headers['x-stainless-retry-count'])).toEqual(['0', '1']);
    expect(calls[1]!.body).toEqual(calls[0]!.body);
  });

  it('a 429 without retries surfaces as a RateLimitError carrying retry-after', async () => {
    server.next({ kind: 'rateLimit', retryAfterSeconds: 1 });
    const err = await client()
      .chat.completions.create(ask())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as APIError).headers?.get('retry-after')).toBe('1');
    expect((err as APIError).code).toBe('rate_limit_exceeded');
  });

  it('a 500 with maxRetries 0 gives an APIError with status 500 and the server message', async () => {
    server.next({ kind: 'error', message: 'upstream exploded' });
    const err = await client()
      .chat.completions.create(ask())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err).toBeInstanceOf(InternalServerError);
    expect((err as APIError).status).toBe(500);
    expect((err as APIError).type).toBe('server_error');
    expect((err as Error).message).toMatch(/upstream exploded/u);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('a stream cut mid-way makes the async iterator throw after a few deltas', async () => {
    server.next({ kind: 'cut', afterChunks: 2 });
    server.script('初信初访要及时化解[1]，依法按政策办理[2]。');
    const stream = await client().chat.completions.create({ ...ask(), stream: true });
    const received: string[] = [];
    const err = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(received.join('')).toBe('初信初访');
  });

  it('a cut non-streamed response rejects', async () => {
    server.next({ kind: 'cut' });
    await expect(client().chat.completions.create(ask())).rejects.toThrow();
  });

  it('a hang triggers the SDK timeout quickly', async () => {
    server.next({ kind: 'hang' });
    const started = Date.now();
    await expect(client({ timeout: 300 }).chat.completions.create(ask())).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('close() ends hanging and trickling connections promptly', async () => {
    server.next({ kind: 'hang' }, { kind: 'trickle', intervalMs: 10_000 }, { kind: 'hang', afterChunks: 1 });
    const c = client({ timeout: 60_000 });
    const hanging = c.chat.completions.create(ask()).catch((e: unknown) => e);
    const trickling = c.chat.completions
      .create({ ...ask(), stream: true })
      .then(collect)
      .catch((e: unknown) => e);
    const stalled = c.chat.completions
      .create({ ...ask(), stream: true })
      .then(collect)
      .catch((e: unknown) => e);
    while (server.chatRequests().length < 3) await new Promise((r) => setTimeout(r, 5));
    expect(server.connections()).toBeGreaterThanOrEqual(3);
    // afterEach checks that close() itself is fast; the clients must all see an error.
    await server.close();
    for (const outcome of await Promise.all([hanging, trickling, stalled])) expect(outcome).toBeInstanceOf(Error);
    server = await startOpenAIChatServer(); // for afterEach
  });

  it('trickles a stream one chunk every intervalMs', async () => {
    server.next({ kind: 'trickle', intervalMs: 30, content: '依法办理[1]。' });
    const started = Date.now();
    const times: number[] = [];
    let text = '';
    for await (const chunk of await client().chat.completions.create({ ...ask(), stream: true })) {
      times.push(Date.now() - started);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('依法办理[1]。');
    expect(times.length).toBe(6); // role, 4 content deltas, finish
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(5 * 30 - 15);
  });

  it('returns an empty completion, streamed or not', async () => {
    server.next({ kind: 'empty' }, { kind: 'empty' });
    const c = client();
    const completion = await c.chat.completions.create(ask());
    expect(completion.choices[0]).toMatchObject({ message: { role: 'assistant', content: '' }, finish_reason: 'stop' });
    const chunks = await collect(await c.chat.completions.create({ ...ask(), stream: true }));
    expect(chunks.map((ch) => ch.choices[0]!.delta.content ?? '').join('')).toBe('');
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
  });

  it('returns a body that is not JSON', async () => {
    server.next({ kind: 'notJson' }, { kind: 'notJson', contentType: 'application/json' }, { kind: 'notJson' });
    const c = client();
    // text/html: the SDK hands back the raw string instead of a ChatCompletion.
    const html = (await c.chat.completions.create(ask())) as unknown;
    expect(html).toMatch(/^<!DOCTYPE html>/u);
    // Claims JSON but is not: the SDK's JSON.parse fails.
    await expect(c.chat.completions.create(ask())).rejects.toThrow(SyntaxError);
    // Streamed: the SSE event's data is not JSON, so iterating throws.
    await expect(collect(await c.chat.completions.create({ ...ask(), stream: true }))).rejects.toThrow(SyntaxError);
  });

  it('records the requests: prompt, model, stream flag and Authorization', async () => {
    await client().chat.completions.create(ask('联席会议多久开一次？'));
    await collect(await client({ apiKey: 'sk-other' }).chat.completions.create({ ...ask(), model: 'qwen2.5-7b', stream: true }));
    const [plain, streamed] = server.chatRequests();
    expect(plain!.method).toBe('POST');
    expect(plain!.path).toBe('/v1/chat/completions');
    expect(plain!.headers.authorization).toBe('Bearer sk-test-chat');
    expect(plain!.headers['content-type']).toMatch(/application\/json/u);
    expect(plain!.body.model).toBe('test-chat');
    expect(plain!.body.stream).toBeUndefined();
    expect(plain!.body.messages).toEqual([
      { role: 'system', content: '只根据给出的段落回答，并用[n]标注出处。' },
      { role: 'user', content: '联席会议多久开一次？' },
    ]);
    expect(streamed!.headers.authorization).toBe('Bearer sk-other');
    expect(streamed!.body).toMatchObject({ model: 'qwen2.5-7b', stream: true });
    expect(server.requestsTo(CHAT)).toHaveLength(2);
  });

  it('rejects a request without model or messages with a 400', async () => {
    await expect(client().chat.completions.create({ model: 'test-chat' } as never)).rejects.toMatchObject({ status: 400 });
  });

  it('lists models in OpenAI format, and still serves embeddings', async () => {
    const c = client();
    const models = [];
    for await (const m of c.models.list()) models.push(m);
    expect(models).toEqual([
      { id: 'test-chat', object: 'model', created: expect.any(Number), owned_by: 'yiju-test' },
      { id: 'test-embed', object: 'model', created: expect.any(Number), owned_by: 'yiju-test' },
    ]);
    const emb = await c.embeddings.create({ model: 'test-embed', input: ['信访'], encoding_format: 'float' });
    expect(emb.data[0]!.embedding).toHaveLength(8);
  });
});

/**
 * Yiju's OpenAI-compatible endpoint (/v1) with the real `openai` SDK as the
 * client, against a real server on an ephemeral port.
 */
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/node/config.js';
import { createRuntime, type Runtime } from '../../src/node/runtime.js';
import { startServer, type RunningServer } from '../../src/node/server.js';
import { withDeadline } from '../helpers/async.js';
import { dataDirWithIndex, e2eEnv } from '../helpers/e2eIndex.js';
import { memoryLogger } from '../helpers/http.js';
import type { Citation } from '../../src/core/answer/types.js';

interface YijuExtra {
  mode: string;
  grounded: boolean;
  answer: string;
  fallback?: string;
  standaloneQuestion: string;
  answerId: string;
}
interface Extra {
  citations: Citation[];
  yiju: YijuExtra;
}

const KEY = 'yiju-e2e-key';

let tmp: { dir: string; cleanup: () => void };
let config: Config;
let rt: Runtime;
let server: RunningServer;
let keyed: RunningServer;
let client: OpenAI;
/** Canonical document texts as the API serves them. */
const texts = new Map<string, string>();

beforeAll(async () => {
  // A temp data folder holding a copy of this run's index of the real corpus (built once per run).
  const prepared = await dataDirWithIndex('yiju-e2e-openai-');
  tmp = prepared;
  config = loadConfig(e2eEnv(tmp.dir));
  rt = await createRuntime(config, { embedder: prepared.embedder });
  server = await startServer(rt, { logger: memoryLogger() });
  // The same runtime, served with API keys configured (as YIJU_API_KEYS would).
  keyed = await startServer({ ...rt, config: { ...config, http: { ...config.http, apiKeys: [KEY] } } }, { logger: memoryLogger() });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'anything', maxRetries: 0, timeout: 30_000 });

  const { documents } = (await (await fetch(`${server.url}/api/documents`)).json()) as { documents: { id: string }[] };
  for (const { id } of documents) texts.set(id, ((await (await fetch(`${server.url}/api/documents/${id}`)).json()) as { text: string }).text);
}, 180_000);

afterAll(async () => {
  await server?.close();
  await keyed?.close();
  tmp?.cleanup();
});

function expectExactSpans(citations: Citation[]) {
  expect(citations.length).toBeGreaterThan(0);
  for (const c of citations) {
    const text = texts.get(c.docId);
    expect(text, `unknown document ${c.docId}`).toBeDefined();
    expect(c.text, `citation [${c.n}] is not the document's slice`).toBe(text!.slice(c.start, c.end));
  }
}

const markerNumbers = (s: string) => [...new Set([...s.matchAll(/\[(\d+)\]/gu)].map((m) => Number(m[1])))].sort((a, b) => a - b);

/** Collects a streamed completion, failing instead of hanging. */
async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  await withDeadline(
    (async () => {
      for await (const c of stream) chunks.push(c);
    })(),
    30_000,
    'the streamed completion never ended',
  );
  return chunks;
}

describe('the openai SDK against /v1', () => {
  it('models.list() includes "yiju"', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toContain('yiju');
  });

  it('a completion has [n] markers and a citations field of exact document spans', async () => {
    const completion = await client.chat.completions.create({ model: 'yiju', messages: [{ role: 'user', content: '初信初访应该怎么处理？' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('yiju');
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('stop');
    expect(choice.message.role).toBe('assistant');
    const content = choice.message.content ?? '';
    expect(content).toMatch(/\[1\]/u);

    const { citations, yiju } = completion as unknown as Extra;
    expectExactSpans(citations);
    expect(citations.map((c) => c.n).sort((a, b) => a - b)).toEqual(markerNumbers(content));
    expect(yiju.mode).toBe('extractive');
    expect(yiju.grounded).toBe(true);
    expect(yiju.answer).toBe(content);
    expect(yiju.answerId).toMatch(/^ans_/u);
  });

  it('any model name is answered by Yiju', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '初信初访应该怎么处理？' }] });
    expect(completion.model).toBe('yiju');
    expect(completion.choices[0]!.message.content).toMatch(/\[1\]/u);
  });

  it('streamed: the deltas make up the answer, and the last chunk has finish_reason "stop" with citations and yiju', async () => {
    const stream = await client.chat.completions.create({ model: 'yiju', stream: true, messages: [{ role: 'user', content: '初信初访应该怎么处理？' }] });
    const chunks = await collect(stream);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) expect(c.object).toBe('chat.completion.chunk');
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(content.length).toBeGreaterThan(0);
    expect(content).toMatch(/\[1\]/u);

    const last = chunks.at(-1)!;
    expect(last.choices[0]!.finish_reason).toBe('stop');
    for (const c of chunks.slice(0, -1)) expect(c.choices[0]!.finish_reason).toBeNull();
    const { citations, yiju } = last as unknown as Extra;
    expectExactSpans(citations);
    expect(yiju.answer).toBe(content);
    expect(citations.map((c) => c.n).sort((a, b) => a - b)).toEqual(markerNumbers(content));
  });

  it('a multi-turn conversation answers the follow-up as a standalone question', async () => {
    const completion = await client.chat.completions.create({
      model: 'yiju',
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: '市县两级多久排查一次矛盾纠纷？' },
        { role: 'assistant', content: '市、县两级坚持每周一排查。' },
        { role: 'user', content: '那乡镇呢？' },
      ],
    });
    const content = completion.choices[0]!.message.content ?? '';
    const { citations, yiju } = completion as unknown as Extra;
    expect(yiju.standaloneQuestion).toContain('乡镇');
    expect(yiju.standaloneQuestion).not.toBe('那乡镇呢？');
    expect(yiju.grounded).toBe(true);
    expect(content).toMatch(/\[\d+\]/u);
    expectExactSpans(citations);
    expect(citations.some((c) => c.text.includes('乡镇'))).toBe(true);
  });

  it('a conversation that ends with an assistant message raises BadRequestError with our message', async () => {
    const err = await client.chat.completions
      .create({
        model: 'yiju',
        messages: [
          { role: 'user', content: '初信初访应该怎么处理？' },
          { role: 'assistant', content: '及时受理。' },
        ],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.status).toBe(400);
    expect(e.message).toContain('the last message must be from the user');
    expect(e.error).toMatchObject({ code: 'invalid_request' });
  });

  it('an empty messages list raises BadRequestError', async () => {
    await expect(client.chat.completions.create({ model: 'yiju', messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe('with API keys configured', () => {
  it('a wrong key raises AuthenticationError (401) and the right key succeeds', async () => {
    const wrong = new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: 'not-the-key', maxRetries: 0 });
    const err = await wrong.chat.completions.create({ model: 'yiju', messages: [{ role: 'user', content: '初信初访应该怎么处理？' }] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401);
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);

    const right = new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: KEY, maxRetries: 0 });
    expect((await right.models.list()).data.map((m) => m.id)).toContain('yiju');
    const completion = await right.chat.completions.create({ model: 'yiju', messages: [{ role: 'user', content: '初信初访应该怎么处理？' }] });
    expect(completion.choices[0]!.message.content).toMatch(/\[1\]/u);
    expectExactSpans((completion as unknown as Extra).citations);

    const stream = await right.chat.completions.create({ model: 'yiju', stream: true, messages: [{ role: 'user', content: '初信初访应该怎么处理？' }] });
    const chunks = await collect(stream);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
  });

  it('health stays open without a key; the API itself does not', async () => {
    expect((await fetch(`${keyed.url}/api/health`)).status).toBe(200);
    const res = await fetch(`${keyed.url}/api/documents`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });
});

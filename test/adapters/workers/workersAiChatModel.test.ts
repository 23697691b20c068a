import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WORKERS_AI_CHAT_MODEL,
  WorkersAiChatError,
  WorkersAiChatModel,
  type WorkersAiChatBinding,
} from '../../../src/adapters/workers/workersAiChatModel.js';
import { ChatCancelledError, ChatModelError, ChatUpstreamError } from '../../../src/core/ports.js';

/** A Workers AI binding answering as documented: `{ response }`, or with `stream: true` a stream of `data: {...}` events ending `data: [DONE]`. */
function fakeAi(reply: (inputs: Parameters<WorkersAiChatBinding['run']>[1]) => unknown) {
  const calls: { model: string; inputs: Parameters<WorkersAiChatBinding['run']>[1] }[] = [];
  const ai: WorkersAiChatBinding = {
    async run(model, inputs) {
      calls.push({ model, inputs });
      return reply(inputs);
    },
  };
  return { ai, calls };
}

/** An SSE body cut into arbitrary byte pieces (events may split mid-line or mid-character). */
function sse(events: string[], pieceBytes = 7, endWithDone = true): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(events.map((e) => `data: ${e}\n\n`).join('') + (endWithDone ? 'data: [DONE]\n\n' : ''));
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + pieceBytes));
      at += pieceBytes;
    },
  });
}

const messages = [{ role: 'user' as const, content: '初信初访怎么办？' }];

async function collect(it: AsyncIterable<string>) {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('WorkersAiChatModel', () => {
  it('completes with the documented { response } shape and sends messages, max_tokens, temperature', async () => {
    const { ai, calls } = fakeAi(() => ({ response: '要及时受理[1]。' }));
    const model = new WorkersAiChatModel(ai);
    expect(await model.complete(messages)).toBe('要及时受理[1]。');
    expect(model.id).toBe(`workers-ai:${DEFAULT_WORKERS_AI_CHAT_MODEL}`);
    expect(calls[0]).toEqual({ model: DEFAULT_WORKERS_AI_CHAT_MODEL, inputs: { messages, stream: false, max_tokens: 1024, temperature: 0.2 } });
  });

  it('reads the OpenAI-style shape newer models answer with', async () => {
    const { ai } = fakeAi(() => ({ choices: [{ message: { content: '好' } }] }));
    expect(await new WorkersAiChatModel(ai, { model: '@cf/x/y' }).complete(messages)).toBe('好');
  });

  it('rejects a reply without text', async () => {
    const { ai } = fakeAi(() => ({ result: 'nothing' }));
    await expect(new WorkersAiChatModel(ai).complete(messages)).rejects.toThrow(WorkersAiChatError);
  });

  it("raises the port's typed failures: the binding's own error is an upstream failure, an aborted call is cancelled", async () => {
    const { ai } = fakeAi(() => {
      throw new Error('3040: Capacity temporarily exceeded');
    });
    const err = await new WorkersAiChatModel(ai).complete(messages).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatUpstreamError);
    expect((err as ChatUpstreamError).message).toContain('Capacity temporarily exceeded');
    expect(await new WorkersAiChatModel(ai).complete(messages, { signal: AbortSignal.abort() }).catch((e: unknown) => e)).toBeInstanceOf(ChatCancelledError);
    expect(new WorkersAiChatError('x')).toBeInstanceOf(ChatModelError);
  });

  it('streams pieces from server-sent events split anywhere, in both shapes', async () => {
    const events = [
      '{"response":"依据"}',
      '{"response":"讲话，"}',
      '{"choices":[{"delta":{"content":"初信初访"}}]}',
      '{"response":""}',
      '{"response":"要及时办理。"}',
    ];
    const { ai, calls } = fakeAi(() => sse(events, 5));
    expect((await collect(new WorkersAiChatModel(ai).stream(messages))).join('')).toBe('依据讲话，初信初访要及时办理。');
    expect(calls[0]!.inputs.stream).toBe(true);
  });

  it('fails a stream that ends before [DONE] (a cut connection must not pass as a whole answer)', async () => {
    const { ai } = fakeAi(() => sse(['{"response":"半"}'], 64, false));
    await expect(collect(new WorkersAiChatModel(ai).stream(messages))).rejects.toThrow(/ended before \[DONE\]/u);
  });

  it('fails on an unreadable event', async () => {
    const { ai } = fakeAi(() => sse(['{"response":'], 64));
    await expect(collect(new WorkersAiChatModel(ai).stream(messages))).rejects.toThrow(/unreadable/u);
  });

  it('treats a model that ignores stream: true as a one-piece stream', async () => {
    const { ai } = fakeAi(() => ({ response: '整段' }));
    expect(await collect(new WorkersAiChatModel(ai).stream(messages))).toEqual(['整段']);
  });

  it('stops reading when the caller aborts, and cancels the body', async () => {
    let cancelled = false;
    const ctl = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('data: {"response":"一"}\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const { ai } = fakeAi(() => body);
    const got: string[] = [];
    for await (const piece of new WorkersAiChatModel(ai).stream(messages, { signal: ctl.signal })) {
      got.push(piece);
      ctl.abort();
    }
    expect(got).toEqual(['一']);
    expect(cancelled).toBe(true);
    await expect(new WorkersAiChatModel(ai).complete(messages, { signal: ctl.signal })).rejects.toThrow();
  });
});

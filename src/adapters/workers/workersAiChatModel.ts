import { createParser } from 'eventsource-parser';
import { ChatCancelledError, ChatModelError, ChatUpstreamError, type ChatMessage, type ChatModel } from '../../core/ports.js';

/**
 * The part of a Workers AI binding (`env.AI`) chat uses. Text-generation models
 * take `{ messages, stream?, max_tokens?, temperature? }` and answer
 * `{ response: string }`, or with `stream: true` a ReadableStream of
 * server-sent events `data: {"response":"…"}` ending with `data: [DONE]`.
 * Newer models may answer in the OpenAI shape (`choices[0].message.content`,
 * `choices[0].delta.content`); both are read.
 */
export interface WorkersAiChatBinding {
  run(model: string, inputs: { messages: ChatMessage[]; stream?: boolean; max_tokens?: number; temperature?: number }): Promise<unknown>;
}

export interface WorkersAiChatOptions {
  model?: string;
  maxTokens?: number;
  temperature?: number;
}

/** A Chinese-capable instruction model in the Workers AI catalogue; any text-generation model id may be configured. */
export const DEFAULT_WORKERS_AI_CHAT_MODEL = '@cf/qwen/qwen3-30b-a3b-fp8';

/** A Workers AI reply that is not an answer: the port's upstream failure. */
export class WorkersAiChatError extends ChatUpstreamError {
  override name = 'WorkersAiChatError';
}

/** The binding's own errors (capacity, unknown model …) as the port's failures. */
const toChatError = (err: unknown, signal?: AbortSignal): ChatModelError =>
  err instanceof ChatModelError
    ? err
    : signal?.aborted
      ? new ChatCancelledError(undefined, err)
      : new ChatUpstreamError(String((err as Error)?.message ?? err), { cause: err });

type Piece = { response?: unknown; choices?: { message?: { content?: unknown }; delta?: { content?: unknown } }[] };

const textOf = (p: Piece | undefined): string | undefined => {
  const t = p?.response ?? p?.choices?.[0]?.message?.content ?? p?.choices?.[0]?.delta?.content;
  return typeof t === 'string' ? t : undefined;
};

/** Chat through the Workers AI binding: no key, no network code of its own. */
export class WorkersAiChatModel implements ChatModel {
  readonly id: string;
  private readonly model: string;

  constructor(
    private readonly ai: WorkersAiChatBinding,
    private readonly options: WorkersAiChatOptions = {},
  ) {
    this.model = options.model ?? DEFAULT_WORKERS_AI_CHAT_MODEL;
    this.id = `workers-ai:${this.model}`;
  }

  private inputs(messages: ChatMessage[], stream: boolean) {
    return { messages, stream, max_tokens: this.options.maxTokens ?? 1024, temperature: this.options.temperature ?? 0.2 };
  }

  async complete(messages: ChatMessage[], opts: { signal?: AbortSignal } = {}): Promise<string> {
    if (opts.signal?.aborted) throw new ChatCancelledError();
    const res = (await this.ai.run(this.model, this.inputs(messages, false)).catch((err: unknown) => Promise.reject(toChatError(err, opts.signal)))) as Piece;
    const text = textOf(res);
    if (text === undefined) throw new WorkersAiChatError(`Workers AI ${this.model} returned no text`);
    return text;
  }

  async *stream(messages: ChatMessage[], opts: { signal?: AbortSignal } = {}): AsyncIterable<string> {
    if (opts.signal?.aborted) throw new ChatCancelledError();
    const body = await this.ai.run(this.model, this.inputs(messages, true)).catch((err: unknown) => Promise.reject(toChatError(err, opts.signal)));
    if (!(body instanceof ReadableStream)) {
      // Some models ignore `stream`: one piece is still a stream.
      const text = textOf(body as Piece);
      if (text === undefined) throw new WorkersAiChatError(`Workers AI ${this.model} returned neither a stream nor text`);
      if (text) yield text;
      return;
    }
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const pending: string[] = [];
    let done = false;
    let bad: unknown = null;
    const parser = createParser({
      onEvent: (event) => {
        if (event.data === '[DONE]') return void (done = true);
        try {
          const text = textOf(JSON.parse(event.data) as Piece);
          if (text) pending.push(text);
        } catch (err) {
          bad = err;
        }
      },
    });
    try {
      while (!done) {
        if (opts.signal?.aborted) return;
        const { value, done: ended } = await reader.read();
        if (ended) break;
        parser.feed(decoder.decode(value, { stream: true }));
        if (bad) throw new WorkersAiChatError(`Workers AI ${this.model} sent an unreadable stream event`);
        while (pending.length) yield pending.shift()!;
      }
      if (!done && !opts.signal?.aborted) throw new WorkersAiChatError(`the Workers AI ${this.model} stream ended before [DONE]`);
    } catch (err) {
      throw toChatError(err, opts.signal);
    } finally {
      await reader.cancel().catch(() => {});
    }
  }
}

import OpenAI from 'openai';
import {
  ChatCancelledError,
  ChatModelError,
  ChatRateLimitedError,
  ChatTimeoutError,
  ChatUpstreamError,
  type ChatMessage,
  type ChatModel,
} from '../../core/ports.js';

export interface OpenAIChatOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  timeoutMs?: number;
  maxRetries?: number;
  temperature?: number;
}

/** The SDK's errors as the port's typed failures. */
function toChatError(err: unknown, signal: AbortSignal | undefined): ChatModelError {
  if (err instanceof ChatModelError) return err;
  if (signal?.aborted) return new ChatCancelledError(undefined, err);
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new ChatTimeoutError(err.message, err);
  if (err instanceof OpenAI.APIError && err.status === 429) {
    const seconds = Number(err.headers?.get?.('retry-after'));
    return new ChatRateLimitedError(err.message, Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined, err);
  }
  if (err instanceof OpenAI.APIError && err.status) return new ChatUpstreamError(err.message, { status: err.status, cause: err });
  return new ChatUpstreamError(String((err as Error)?.message ?? err), { cause: err });
}

/** Chat completions from any OpenAI-compatible endpoint (OpenAI, DeepSeek, Qwen/DashScope, vLLM, Ollama). Failures are the port's ChatModelErrors. */
export class OpenAIChatModel implements ChatModel {
  readonly id: string;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAIChatOptions) {
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      timeout: options.timeoutMs ?? 30_000,
      maxRetries: options.maxRetries ?? 2,
      logLevel: 'off',
    });
    this.id = `openai:${options.model}`;
  }

  /**
   * One completion. The SDK's timeout stops at the response headers, so a body that stalls is
   * bounded here too: by the timeout for every attempt the SDK may make, plus a second of back-off.
   */
  async complete(messages: ChatMessage[], opts: { signal?: AbortSignal } = {}): Promise<string> {
    const ctl = new AbortController();
    const onAbort = () => ctl.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const deadline = this.deadlineMs;
    const timer = setTimeout(() => ctl.abort(new ChatTimeoutError(`no complete answer within ${deadline} ms`)), deadline);
    try {
      const res = await this.client.chat.completions.create(
        { model: this.options.model, messages, temperature: this.options.temperature ?? 0.2 },
        { signal: ctl.signal },
      );
      if (typeof res !== 'object' || !Array.isArray(res.choices)) throw new ChatUpstreamError('the endpoint did not return a chat completion');
      return res.choices[0]?.message?.content ?? '';
    } catch (err) {
      throw ctl.signal.reason instanceof ChatTimeoutError ? ctl.signal.reason : toChatError(err, opts.signal);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The longest a whole answer may take: the timeout for every attempt the SDK may make, plus a second of back-off. */
  private get deadlineMs(): number {
    return (this.options.timeoutMs ?? 30_000) * ((this.options.maxRetries ?? 2) + 1) + 1_000;
  }

  /**
   * Streams deltas. A stream that goes silent for longer than the timeout is aborted (the SDK's timeout covers
   * only the start), and so is one that trickles on past the same overall deadline as `complete()`.
   */
  async *stream(messages: ChatMessage[], opts: { signal?: AbortSignal } = {}): AsyncIterable<string> {
    const idle = new AbortController();
    const onAbort = () => idle.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const limit = this.options.timeoutMs ?? 30_000;
    const deadline = this.deadlineMs;
    const overall = setTimeout(() => idle.abort(new ChatTimeoutError(`no complete answer within ${deadline} ms`)), deadline);
    let timer = setTimeout(() => idle.abort(new ChatTimeoutError(`no data for ${limit} ms`)), limit);
    try {
      const stream = await this.client.chat.completions.create(
        { model: this.options.model, messages, temperature: this.options.temperature ?? 0.2, stream: true },
        { signal: idle.signal },
      );
      for await (const chunk of stream) {
        clearTimeout(timer);
        timer = setTimeout(() => idle.abort(new ChatTimeoutError(`the stream stalled for ${limit} ms`)), limit);
        const text = chunk.choices[0]?.delta?.content;
        if (text) yield text;
      }
      // The SDK ends an aborted stream quietly; a stall must surface as an error, the caller's own abort not.
      if (idle.signal.aborted && !opts.signal?.aborted)
        throw idle.signal.reason instanceof ChatModelError ? idle.signal.reason : new ChatTimeoutError('the stream stalled');
    } catch (err) {
      throw idle.signal.reason instanceof ChatTimeoutError ? idle.signal.reason : toChatError(err, opts.signal);
    } finally {
      clearTimeout(timer);
      clearTimeout(overall);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }
}

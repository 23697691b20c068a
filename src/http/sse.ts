import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { AppEnv } from './env.js';
import type { Logger } from './log.js';

/**
 * A server-sent-event response whose work stops when the client goes away:
 * `run` gets an AbortSignal that fires when the connection closes. A failure
 * is logged and reported to the client through `failed` (never a stack), and
 * the request's log line is written when the stream ends.
 */
/**
 * The chat's stream sends an SSE comment this often (`heartbeatMs`) while the answer is being worked on (a model that has
 * not sent its first token yet), so a client that gives up on a silent server (the chat's 30 s) hears that this
 * one is alive. Comments are ignored by SSE parsers.
 */
export const SSE_HEARTBEAT_MS = 10_000;

export function abortableSSE(
  c: Context<AppEnv>,
  run: (sse: SSEStreamingApi, signal: AbortSignal) => Promise<void>,
  failed: (sse: SSEStreamingApi) => Promise<void>,
  logger: Logger,
  options: { heartbeatMs?: number } = {},
): Response {
  const abort = new AbortController();
  const stop = () => abort.abort();
  c.req.raw.signal.addEventListener('abort', stop, { once: true });
  let ended!: () => void;
  c.set('streamDone', new Promise<void>((resolve) => (ended = resolve)));

  const response = streamSSE(c, async (sse) => {
    sse.onAbort(stop);
    const beat = options.heartbeatMs ? setInterval(() => void sse.write(': alive\n\n').catch(() => {}), options.heartbeatMs) : undefined;
    try {
      await run(sse, abort.signal);
    } catch (err) {
      if (!abort.signal.aborted) {
        logger.log('error', { msg: 'stream failed', requestId: c.get('requestId'), error: String((err as Error)?.message ?? err) });
        await failed(sse).catch(() => {});
      }
    } finally {
      clearInterval(beat);
      if (abort.signal.aborted) c.get('logFields').aborted = true;
      c.req.raw.signal.removeEventListener('abort', stop);
      ended();
    }
  });
  // Say the charset: some clients decode a bare text/event-stream as Latin-1.
  response.headers.set('Content-Type', 'text/event-stream; charset=utf-8');
  return response;
}

/** The message a client sees when an answer fails mid-stream. */
export const STREAM_FAILED = 'The answer failed on the server; the error was logged. Please try again.';

import OpenAI from 'openai';
import type { ServerResponse } from 'node:http';
import { setImmediate as macrotask } from 'node:timers/promises';
import { embeddingsRoute, startOpenAIServer, type OpenAIServer, type RecordedRequest, type RouteHandler, type RouteReply } from './openaiServer.js';

/**
 * A local OpenAI-compatible chat-completions server for tests, built on
 * startOpenAIServer (so POST /v1/embeddings keeps working on the same port).
 *
 *   const chat = await startOpenAIChatServer({ reply: (body) => '初信初访要及时化解[1]。' });
 *   const client = new OpenAI({ baseURL: chat.baseURL, apiKey: 'sk-test', maxRetries: 0 });
 *   chat.script('答案一[1]。', '答案二[9]。');        // next replies, in order (then `reply`)
 *   chat.next({ kind: 'rateLimit' }, { kind: 'cut' }); // next behaviours, one per chat request
 *   chat.chatRequests()[0].body.messages;             // what the client sent
 *   await chat.close();                               // also ends hanging / trickling responses
 *
 * Wire format follows OpenAI's: `chat.completion` objects, and for `stream: true`
 * `text/event-stream` with `data: {chat.completion.chunk}` events (a first delta with
 * the role, content deltas of `chunkChars` characters, a last chunk with
 * `finish_reason`, an optional usage chunk when `stream_options.include_usage`),
 * then `data: [DONE]`.
 */

export const CHAT = 'POST /v1/chat/completions';
export const MODELS = 'GET /v1/models';

export interface ChatMessage {
  role: string;
  content?: unknown;
  [key: string]: unknown;
}

/** The request body as the client sent it (only the fields the fixture reads are typed). */
export interface ChatRequestBody {
  model?: string;
  messages?: ChatMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  [key: string]: unknown;
}

export interface ChatRequest extends RecordedRequest {
  body: ChatRequestBody;
}

export type ReplyFunction = (body: ChatRequestBody, request: RecordedRequest) => string;
export type FinishReason = 'stop' | 'length' | 'content_filter';

/**
 * What the server does with one chat request. Behaviours that produce content
 * (`reply`, `cut`, `trickle`, `hang` with `afterChunks`) take it from `content`, else
 * from the scripted queue, else from the reply function. The others leave the
 * scripted queue alone, so `next({ kind: 'rateLimit' })` + `script('x')` answers 'x'
 * on the retry.
 */
export type ChatBehaviour =
  /** A normal answer (the default when the queue is empty). */
  | { kind: 'reply'; content?: string; finishReason?: FinishReason }
  /** 429 with `retry-after` (seconds; default 0.05 — the SDK accepts fractions) and an OpenAI rate-limit error. */
  | { kind: 'rateLimit'; retryAfterSeconds?: number; message?: string }
  /** An HTTP error with OpenAI's error JSON (default 500 server_error). */
  | { kind: 'error'; status?: number; message?: string; type?: string; code?: string | null }
  /**
   * The connection is destroyed part-way. Streamed: after the role chunk and
   * `afterChunks` content chunks (default 2), never reaching finish_reason or [DONE].
   * Non-streamed: after half of the JSON body.
   */
  | { kind: 'cut'; afterChunks?: number; content?: string }
  /**
   * Never answers (not even headers) — the client's timeout must fire. With
   * `afterChunks` on a streamed request: sends the role chunk and that many content
   * chunks, then stalls.
   */
  | { kind: 'hang'; afterChunks?: number; content?: string }
  /** Headers at once, then one chunk (streamed) or one slice of JSON (non-streamed) every `intervalMs`. */
  | { kind: 'trickle'; intervalMs: number; content?: string }
  /** A well-formed completion whose content is "". */
  | { kind: 'empty' }
  /**
   * A body that is not JSON (default: status 200, an nginx welcome page as
   * text/html). For a streamed request without `contentType`, a text/event-stream
   * whose `data:` line is that body, so the SDK's JSON.parse of the event fails.
   */
  | { kind: 'notJson'; body?: string; contentType?: string; status?: number };

export interface ChatServerOptions {
  /** Default answer when no scripted reply is queued: a string or `(body) => string`. Default echoes the last user message. */
  reply?: string | ReplyFunction;
  /** Characters (code points) per streamed content delta. Default 2, so "[1]" gets split across deltas. */
  chunkChars?: number;
  /** Write each SSE event in two TCP writes, split mid-way (possibly inside a UTF-8 character). Default true. */
  splitEvents?: boolean;
  /** Model ids listed by GET /v1/models. */
  models?: string[];
  /** Also serve POST /v1/embeddings (default true, with embeddingsRoute()). */
  embeddings?: boolean | RouteHandler;
}

export interface OpenAIChatServer extends OpenAIServer {
  /** Queues replies (content strings) used by the next content-producing chat requests, in order. */
  script(...replies: string[]): void;
  /** Replaces the default reply (used when no scripted reply is queued). */
  replyWith(reply: string | ReplyFunction): void;
  /** Queues behaviours, one per upcoming chat request; when empty, requests get a normal reply. */
  next(...behaviours: ChatBehaviour[]): void;
  /** Recorded POST /v1/chat/completions requests. */
  chatRequests(): ChatRequest[];
  /** Scripted replies / behaviours not yet used (for asserting a test consumed what it set up). */
  pending(): { replies: number; behaviours: number };
}

// ---------------------------------------------------------------------------
// Wire-format builders (exported so parsers can be unit-tested without a server)

let sequence = 0;
export function completionId(): string {
  return `chatcmpl-test${(++sequence).toString(36).padStart(6, '0')}`;
}

/** Split into pieces of `size` code points (never inside a surrogate pair). */
export function splitText(text: string, size: number): string[] {
  const chars = [...text];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += Math.max(1, size)) out.push(chars.slice(i, i + Math.max(1, size)).join(''));
  return out;
}

/** Very rough token count: one per code point of the message contents. */
function promptTokens(body: ChatRequestBody): number {
  return (body.messages ?? []).reduce((n, m) => n + [...(typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''))].length, 0);
}

export function usageFor(body: ChatRequestBody, content: string) {
  const prompt = promptTokens(body);
  const completion = [...content].length;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

function meta(body: ChatRequestBody): CompletionMeta {
  return { id: completionId(), created: Math.floor(Date.now() / 1000), model: body.model ?? 'unknown' };
}

/** A non-streamed `chat.completion` object. */
export function chatCompletion(body: ChatRequestBody, content: string, finishReason: FinishReason = 'stop', m: CompletionMeta = meta(body)) {
  return {
    id: m.id,
    object: 'chat.completion',
    created: m.created,
    model: m.model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: finishReason }],
    usage: usageFor(body, content),
    service_tier: 'default',
    system_fingerprint: 'fp_yiju_test',
  };
}

/**
 * The `chat.completion.chunk` objects of a streamed answer: role chunk, one chunk per
 * piece, finish chunk, and (with `stream_options.include_usage`) a usage chunk.
 */
export function chatCompletionChunks(body: ChatRequestBody, pieces: string[], finishReason: FinishReason = 'stop', m: CompletionMeta = meta(body)) {
  const includeUsage = body.stream_options?.include_usage === true;
  const chunk = (delta: Record<string, unknown>, finish: FinishReason | null) => ({
    id: m.id,
    object: 'chat.completion.chunk',
    created: m.created,
    model: m.model,
    service_tier: 'default',
    system_fingerprint: 'fp_yiju_test',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const chunks: object[] = [
    chunk({ role: 'assistant', content: '', refusal: null }, null),
    ...pieces.map((content) => chunk({ content }, null)),
    chunk({}, finishReason),
  ];
  if (includeUsage) {
    chunks.push({
      id: m.id,
      object: 'chat.completion.chunk',
      created: m.created,
      model: m.model,
      service_tier: 'default',
      system_fingerprint: 'fp_yiju_test',
      choices: [],
      usage: usageFor(body, pieces.join('')),
    });
  }
  return chunks;
}

export function sseEvent(data: object | string): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

export function openAIError(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

// ---------------------------------------------------------------------------
// Writing responses

type Ending = 'end' | 'destroy' | 'stall';

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' };

/** Resolves after `ms`, or early (false) when the response closes; never leaves a timer behind. */
function pause(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    res.once('close', onClose);
  });
}

function write(res: ServerResponse, data: string | Buffer): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  return new Promise((resolve) => res.write(data, (err) => resolve(!err)));
}

/**
 * Writes `frames` (SSE events, or slices of a JSON body) after the headers: with
 * `intervalMs` between frames (else a macrotask), `split` writes each frame in two
 * halves, and after `limit` frames the response ends, its socket is destroyed, or it
 * stalls (left open until the client gives up or the server closes).
 */
async function writeFrames(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  frames: string[],
  opts: { intervalMs?: number; split?: boolean; limit?: number; ending?: Ending } = {},
): Promise<void> {
  res.writeHead(status, headers);
  res.flushHeaders();
  const limit = Math.min(opts.limit ?? frames.length, frames.length);
  for (let i = 0; i < limit; i++) {
    if (opts.intervalMs) {
      if (!(await pause(res, opts.intervalMs))) return;
    } else if (i > 0) {
      await macrotask();
      if (res.destroyed) return;
    }
    const bytes = Buffer.from(frames[i]!, 'utf8');
    if (opts.split && bytes.length > 1) {
      const mid = Math.floor(bytes.length / 2);
      if (!(await write(res, bytes.subarray(0, mid)))) return;
      await macrotask();
      if (!(await write(res, bytes.subarray(mid)))) return;
    } else if (!(await write(res, bytes))) return;
  }
  const ending = opts.ending ?? 'end';
  if (ending === 'end') res.end();
  else if (ending === 'destroy') res.socket?.destroy();
  // 'stall': leave it; close() (or the client) destroys the socket.
}

/** Slices of a JSON text, for trickled / cut non-streamed bodies. */
function slices(text: string, count: number): string[] {
  const chars = [...text];
  const size = Math.ceil(chars.length / count);
  return splitText(text, size);
}

// ---------------------------------------------------------------------------
// Routes

export function modelsRoute(models: string[]): RouteHandler {
  return () => ({
    body: { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'yiju-test' })) },
  });
}

function defaultReply(body: ChatRequestBody): string {
  const lastUser = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  return `收到：${typeof lastUser?.content === 'string' ? lastUser.content : ''}`;
}

interface ChatState {
  reply: string | ReplyFunction;
  replies: string[];
  behaviours: ChatBehaviour[];
}

function chatRoute(state: ChatState, options: ChatServerOptions): RouteHandler {
  const chunkChars = options.chunkChars ?? 2;
  const split = options.splitEvents ?? true;
  let requestCount = 0;

  return (req) => {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as ChatRequestBody;
    const headers = { 'x-request-id': `req_test_${++requestCount}` };
    if (!Array.isArray(body.messages) || typeof body.model !== 'string') {
      return { status: 400, headers, body: openAIError("'model' and 'messages' are required", 'invalid_request_error') };
    }
    const behaviour: ChatBehaviour = state.behaviours.shift() ?? { kind: 'reply' };
    const content = (given?: string) => given ?? state.replies.shift() ?? (typeof state.reply === 'string' ? state.reply : state.reply(body, req));
    const stream = body.stream === true;
    const sse = { ...SSE_HEADERS, ...headers };
    const json = { 'content-type': 'application/json', ...headers };

    const answer = (text: string, finishReason: FinishReason = 'stop'): RouteReply =>
      stream
        ? {
            raw: (res) =>
              writeFrames(res, 200, sse, [...chatCompletionChunks(body, splitText(text, chunkChars), finishReason).map(sseEvent), sseEvent('[DONE]')], {
                split,
              }),
          }
        : { headers, body: chatCompletion(body, text, finishReason) };

    /** Frames of an answer, and how many frames precede the (n+1)th content chunk. */
    const framesOf = (text: string) => {
      if (stream)
        return {
          frames: [...chatCompletionChunks(body, splitText(text, chunkChars)).map(sseEvent), sseEvent('[DONE]')],
          headers: sse,
          upTo: (n: number) => 1 + Math.min(n, splitText(text, chunkChars).length),
        };
      const whole = JSON.stringify(chatCompletion(body, text));
      return { frames: slices(whole, 8), headers: json, upTo: (n: number) => n };
    };

    switch (behaviour.kind) {
      case 'reply':
        return answer(content(behaviour.content), behaviour.finishReason);
      case 'empty':
        return answer('');
      case 'rateLimit':
        return {
          status: 429,
          headers: { ...headers, 'retry-after': String(behaviour.retryAfterSeconds ?? 0.05), 'x-ratelimit-remaining-requests': '0' },
          body: openAIError(
            behaviour.message ?? `Rate limit reached for ${body.model} on requests per min (RPM): Limit 3, Used 3, Requested 1.`,
            'requests',
            'rate_limit_exceeded',
          ),
        };
      case 'error':
        return {
          status: behaviour.status ?? 500,
          headers,
          body: openAIError(
            behaviour.message ?? 'The server had an error while processing your request. Sorry about that!',
            behaviour.type ?? 'server_error',
            behaviour.code ?? null,
          ),
        };
      case 'cut': {
        const f = framesOf(content(behaviour.content));
        const limit = stream ? f.upTo(behaviour.afterChunks ?? 2) : Math.floor(f.frames.length / 2);
        return { raw: (res) => writeFrames(res, 200, f.headers, f.frames, { split, limit, ending: 'destroy' }) };
      }
      case 'hang': {
        if (!stream || !behaviour.afterChunks) return { raw: () => undefined };
        const f = framesOf(content(behaviour.content));
        return { raw: (res) => writeFrames(res, 200, f.headers, f.frames, { split, limit: f.upTo(behaviour.afterChunks!), ending: 'stall' }) };
      }
      case 'trickle': {
        const f = framesOf(content(behaviour.content));
        return { raw: (res) => writeFrames(res, 200, f.headers, f.frames, { intervalMs: behaviour.intervalMs }) };
      }
      case 'notJson': {
        const text = behaviour.body ?? '<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body><h1>Welcome to nginx!</h1></body></html>';
        const status = behaviour.status ?? 200;
        if (stream && !behaviour.contentType) return { raw: (res) => writeFrames(res, status, sse, [sseEvent(text)]) };
        return { raw: (res) => writeFrames(res, status, { 'content-type': behaviour.contentType ?? 'text/html; charset=utf-8', ...headers }, [text]) };
      }
    }
  };
}

export async function startOpenAIChatServer(options: ChatServerOptions = {}): Promise<OpenAIChatServer> {
  const state: ChatState = { reply: options.reply ?? defaultReply, replies: [], behaviours: [] };
  const routes: Record<string, RouteHandler> = {
    [CHAT]: chatRoute(state, options),
    [MODELS]: modelsRoute(options.models ?? ['test-chat', 'test-embed']),
  };
  const embeddings = options.embeddings ?? true;
  if (embeddings) routes['POST /v1/embeddings'] = embeddings === true ? embeddingsRoute() : embeddings;
  const server = await startOpenAIServer(routes);
  return {
    ...server,
    script: (...replies) => void state.replies.push(...replies),
    replyWith: (reply) => void (state.reply = reply),
    next: (...behaviours) => void state.behaviours.push(...behaviours),
    chatRequests: () => server.requestsTo(CHAT) as ChatRequest[],
    pending: () => ({ replies: state.replies.length, behaviours: state.behaviours.length }),
  };
}

/**
 * After each test: every scripted reply and behaviour must have been used by the test that queued it.
 * The queue is drained either way, so one test's leftovers never leak into the next.
 */
export async function expectScriptsUsed(server: OpenAIChatServer, expectEqual: (left: { replies: number; behaviours: number }) => void): Promise<void> {
  const left = server.pending();
  const drain = new OpenAI({ apiKey: 'sk-drain', baseURL: server.baseURL, maxRetries: 0, timeout: 200, logLevel: 'off' });
  for (let i = 0; i < 10 && (server.pending().replies || server.pending().behaviours); i++) {
    await drain.chat.completions.create({ model: 'drain', messages: [{ role: 'user', content: 'drain' }] }).catch(() => undefined);
  }
  expectEqual(left);
}

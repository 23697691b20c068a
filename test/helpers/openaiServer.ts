import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fnv1a } from './fakeEmbedder.js';
import { listen } from './listen.js';

/**
 * A local stand-in for an OpenAI-compatible API (OpenAI, vLLM, Ollama…), for
 * tests. It speaks OpenAI's wire format and records every request. Routes are
 * pluggable so later suites can add e.g. POST /v1/chat/completions (see
 * openaiChatServer.ts, which builds on this one).
 *
 *   const server = await startOpenAIServer();
 *   new OpenAI({ baseURL: server.baseURL, apiKey: 'sk-test' });
 *   server.requests; server.failNext(500); await server.close();
 */

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface RouteReply {
  status?: number;
  /** Sent as JSON. Ignored when `raw` is given. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Writes the response itself (streams, trickles, cut connections, hangs). It owns
   * `res`: it must end it, destroy its socket, or leave it hanging — `close()`
   * destroys every socket anyway. Listen to `res.on('close')` to stop timers.
   */
  raw?: (res: ServerResponse) => void | Promise<void>;
}

export type RouteHandler = (req: RecordedRequest) => RouteReply | Promise<RouteReply>;

export interface EmbeddingsOptions {
  /** Length of the (unnormalised) vectors returned. */
  dimensions?: number;
  /** Return `data` in a shuffled order (clients must sort by `index`). */
  shuffle?: boolean;
}

export interface OpenAIServer {
  /** e.g. http://127.0.0.1:54321/v1 — pass as `baseURL`. */
  baseURL: string;
  requests: RecordedRequest[];
  /** Requests to one route, e.g. `requestsTo('POST /v1/embeddings')`. */
  requestsTo(route: string): RecordedRequest[];
  /** Adds or replaces a route, keyed "METHOD /path". */
  route(key: string, handler: RouteHandler): void;
  /** The next `times` requests (to any route) fail with `status`. */
  failNext(status: number, times?: number, message?: string): void;
  /** Open TCP connections (idle keep-alive ones included). */
  connections(): number;
  /** Destroys every connection (hanging or streaming ones too) and stops listening. */
  close(): Promise<void>;
}

/**
 * The server's embedding of a text: deterministic, not normalised (so clients must
 * normalise), different for different texts. Every component is positive, so its
 * direction is never degenerate.
 */
export function serverEmbedding(text: string, dimensions: number): number[] {
  return Array.from({ length: dimensions }, (_, i) => 1 + (fnv1a(`${i}:${text}`) % 1000) / 100);
}

/** Deterministic Fisher–Yates shuffle seeded by `seed`. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The POST /v1/embeddings handler, in OpenAI's response format. */
export function embeddingsRoute(options: EmbeddingsOptions = {}): RouteHandler {
  const dimensions = options.dimensions ?? 8;
  let calls = 0;
  return (req) => {
    const body = req.body as { input?: string | string[]; model?: string };
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(inputs) || !inputs.every((t) => typeof t === 'string')) {
      return { status: 400, body: { error: { message: "'input' must be a string or an array of strings", type: 'invalid_request_error' } } };
    }
    const data = inputs.map((text, index) => ({ object: 'embedding', index, embedding: serverEmbedding(text, dimensions) }));
    const tokens = inputs.reduce((n, t) => n + [...t].length, 0);
    return {
      body: {
        object: 'list',
        data: options.shuffle ? shuffled(data, ++calls * 7919 + inputs.length) : data,
        model: body.model ?? 'unknown',
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      },
    };
  };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function send(res: ServerResponse, reply: RouteReply): void | Promise<void> {
  if (reply.raw) return reply.raw(res);
  res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
  res.end(JSON.stringify(reply.body));
}

export async function startOpenAIServer(routes: Record<string, RouteHandler> = { 'POST /v1/embeddings': embeddingsRoute() }): Promise<OpenAIServer> {
  const table = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const failures: { status: number; message: string }[] = [];

  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body: await readBody(req) };
      requests.push(recorded);
      const failure = failures.shift();
      if (failure) return send(res, { status: failure.status, body: { error: { message: failure.message, type: 'server_error' } } });
      const handler = table.get(`${recorded.method} ${path}`);
      if (!handler) return send(res, { status: 404, body: { error: { message: `no route ${recorded.method} ${path}`, type: 'invalid_request_error' } } });
      await send(res, await handler(recorded));
    })().catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) void send(res, { status: 500, body: { error: { message: String(err) } } });
      else res.destroy();
    });
  });
  const listening = await listen(server);

  return {
    baseURL: `${listening.url}/v1`,
    requests,
    requestsTo: (route) => requests.filter((r) => `${r.method} ${r.path}` === route),
    route: (key, handler) => void table.set(key, handler),
    failNext: (status, times = 1, message = `injected failure ${status}`) => {
      for (let i = 0; i < times; i++) failures.push({ status, message });
    },
    connections: listening.connections,
    close: listening.close,
  };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listen } from './listen.js';
import { chatCompletion, chatCompletionChunks, openAIError, sseEvent, splitText, type ChatRequestBody } from './openaiChatServer.js';
import { rng } from './random.js';

/**
 * A fault-injecting OpenAI-compatible chat-completions server for reliability
 * tests: every POST /v1/chat/completions (retries included) gets one fault,
 * picked by a seeded generator (or in a fixed cycle), so a storm of concurrent
 * requests meets every failure an upstream model can produce at once. Unlike
 * openaiChatServer's queue of behaviours, picking does not depend on the order
 * requests arrive in, and the server counts what it leaves open: sockets, and
 * responses not yet finished (a leaked upstream request shows up in both).
 *
 *   const fake = await startFaultyChatServer({ reply: (body) => '…[1]。', seed: 7 });
 *   // OPENAI_BASE_URL=fake.baseURL
 *   fake.served;         // { rateLimit: 9, serverError: 8, hang: 7, … } (by stream/non-stream in servedBy)
 *   fake.connections();  // open sockets (idle keep-alive ones included)
 *   fake.inFlight();     // responses neither finished nor closed
 *   await fake.close();  // destroys everything still open
 *
 * The faults:
 * - rateLimit:   429 with `retry-after` (seconds, default 0.1) and OpenAI's rate-limit error.
 * - serverError: 500 with OpenAI's server_error.
 * - hang:        never answers, not even headers (the client's timeout must fire).
 * - stall:       headers and the start of the body (streamed: the role chunk and one delta;
 *                non-streamed: half the JSON), then nothing, for ever.
 * - cut:         the start of the body, then the socket is destroyed.
 * - trickle:     a complete, good answer, one piece every `trickleMs` (default 300): streamed,
 *                `tricklePieces` (default 6) content deltas plus role, finish and [DONE] frames;
 *                non-streamed, the JSON in `tricklePieces` slices. It finishes within a few seconds.
 * - good:        the answer at once.
 */

export const FAULTS = ['rateLimit', 'serverError', 'hang', 'stall', 'cut', 'trickle', 'good'] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultyChatServerOptions {
  /** The content of a good answer (used by good, trickle, and the start of stall and cut). */
  reply: (body: ChatRequestBody) => string;
  /** The faults to choose among (default all of FAULTS; repeat one to weight it). */
  faults?: readonly Fault[];
  /** 'random' (default): seeded draws; 'cycle': the list in order, round and round. */
  pick?: 'random' | 'cycle';
  seed?: number;
  retryAfterSeconds?: number;
  trickleMs?: number;
  tricklePieces?: number;
  /** Idle keep-alive timeout of the server's sockets (Node's default is 5 s). */
  keepAliveTimeoutMs?: number;
}

export interface FaultLogEntry {
  fault: Fault;
  stream: boolean;
  /** Milliseconds from the request's arrival until its response finished or its connection closed (undefined while open). */
  openMs?: number;
}

export interface FaultyChatServer {
  /** e.g. http://127.0.0.1:54321/v1 */
  baseURL: string;
  /** Chat requests answered with each fault. */
  served: Record<Fault, number>;
  /** The same, split by streamed and non-streamed requests. */
  servedBy: { stream: Record<Fault, number>; plain: Record<Fault, number> };
  /** Every chat request, in arrival order: its fault, whether it asked for a stream, and (once closed) how long it stayed open. */
  log: FaultLogEntry[];
  /** Open TCP connections (idle keep-alive ones included). */
  connections(): number;
  /** Responses that have neither finished nor been closed (hanging, stalled, trickling ones). */
  inFlight(): number;
  /** Timers the server has pending (trickles): all are cleared when their response closes. */
  timers(): number;
  /** Changes what later requests get (requests under way keep theirs). */
  configure(changes: Partial<Pick<FaultyChatServerOptions, 'faults' | 'trickleMs' | 'tricklePieces' | 'retryAfterSeconds'>>): void;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

const zero = (): Record<Fault, number> => Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>;

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' };

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

export async function startFaultyChatServer(options: FaultyChatServerOptions): Promise<FaultyChatServer> {
  let faults = options.faults ?? FAULTS;
  const random = rng(options.seed ?? 0x00c0_ffee);
  let retryAfter = options.retryAfterSeconds ?? 0.1;
  let trickleMs = options.trickleMs ?? 300;
  let pieces = options.tricklePieces ?? 6;
  let turn = 0;
  const choose = (): Fault => (options.pick === 'cycle' ? faults[turn++ % faults.length]! : random.pick(faults));

  const served = zero();
  const servedBy = { stream: zero(), plain: zero() };
  const log: FaultLogEntry[] = [];
  const open = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();

  /** Resolves true after `ms`, or false as soon as the response closes (its timer cleared either way). */
  const pause = (res: ServerResponse, ms: number) =>
    new Promise<boolean>((resolve) => {
      if (res.destroyed) return resolve(false);
      const onClose = () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.off('close', onClose);
        resolve(!res.destroyed);
      }, ms);
      timers.add(timer);
      res.once('close', onClose);
    });

  const write = (res: ServerResponse, data: string) =>
    new Promise<boolean>((resolve) => {
      if (res.destroyed || res.writableEnded) return resolve(false);
      res.write(data, (err) => resolve(!err));
    });

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  async function chat(res: ServerResponse, body: ChatRequestBody, arrived: number): Promise<void> {
    if (!Array.isArray(body.messages) || typeof body.model !== 'string')
      return json(res, 400, openAIError("'model' and 'messages' are required", 'invalid_request_error'));
    const fault = choose();
    const stream = body.stream === true;
    served[fault]++;
    (stream ? servedBy.stream : servedBy.plain)[fault]++;
    const entry: FaultLogEntry = { fault, stream };
    log.push(entry);
    res.once('close', () => (entry.openMs = performance.now() - arrived));

    switch (fault) {
      case 'rateLimit':
        return json(
          res,
          429,
          openAIError(`Rate limit reached for ${body.model} on requests per min (RPM): Limit 3, Used 3, Requested 1.`, 'requests', 'rate_limit_exceeded'),
          {
            'retry-after': String(retryAfter),
            'x-ratelimit-remaining-requests': '0',
          },
        );
      case 'serverError':
        return json(res, 500, openAIError('The server had an error while processing your request. Sorry about that!', 'server_error'));
      case 'hang':
        return; // no headers, ever: the client must give up
      default:
        break;
    }

    const content = options.reply(body);
    const interval = trickleMs;
    /** How many pieces the content (streamed) or the JSON text (non-streamed) comes in. */
    const parts = fault === 'trickle' ? pieces : stream ? 8 : 2;
    const inParts = (text: string) => splitText(text, Math.max(1, Math.ceil([...text].length / parts)));
    const frames = stream
      ? [...chatCompletionChunks(body, inParts(content)).map(sseEvent), sseEvent('[DONE]')]
      : inParts(JSON.stringify(chatCompletion(body, content)));
    res.writeHead(200, stream ? SSE_HEADERS : { 'content-type': 'application/json' });
    res.flushHeaders();

    if (fault === 'good') {
      res.end(frames.join(''));
      return;
    }
    if (fault === 'trickle') {
      for (const frame of frames) {
        if (!(await pause(res, interval))) return;
        if (!(await write(res, frame))) return;
      }
      res.end();
      return;
    }
    // stall and cut: the start of the body (streamed: role chunk + one delta; plain: half the JSON).
    const head = stream ? frames.slice(0, 2) : frames.slice(0, 1);
    if (!(await write(res, head.join('')))) return;
    if (fault === 'cut') {
      await pause(res, 20);
      res.socket?.destroy();
    }
    // stall: left open until the client gives up (or close()).
  }

  const server: Server = createServer((req, res) => {
    const arrived = performance.now();
    open.add(res);
    res.once('close', () => open.delete(res));
    void (async () => {
      const body = await readBody(req);
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'POST' && path === '/v1/chat/completions') return chat(res, (body ?? {}) as ChatRequestBody, arrived);
      return json(res, 404, openAIError(`no route ${req.method} ${path}`, 'invalid_request_error'));
    })().catch(() => res.destroy());
  });
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  const listening = await listen(server);

  return {
    baseURL: `${listening.url}/v1`,
    served,
    servedBy,
    log,
    connections: listening.connections,
    inFlight: () => open.size,
    timers: () => timers.size,
    configure: (changes) => {
      faults = changes.faults ?? faults;
      trickleMs = changes.trickleMs ?? trickleMs;
      pieces = changes.tricklePieces ?? pieces;
      retryAfter = changes.retryAfterSeconds ?? retryAfter;
    },
    close: listening.close,
  };
}

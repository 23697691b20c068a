import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { getRequestListener, RequestError } from '@hono/node-server';
import type { FeedbackStore } from '../core/feedback/types.js';
import { JsonlFeedbackStore } from '../adapters/feedback/jsonlFeedbackStore.js';
import { createApp, type YijuApp } from '../http/app.js';
import { createStartingApp } from '../http/startingApp.js';
import type { AppDeps, IndexingStatus } from '../http/deps.js';
import type { Config } from './config.js';
import { jsonLogger, type Logger } from '../http/log.js';
import { httpOptionsOf } from '../config/common.js';
import type { Runtime } from './runtime.js';
import { buildWebAssets } from './webAssets.js';
import { VERSION } from './version.js';

export const feedbackPath = (dataDir: string) => join(dataDir, 'feedback', 'feedback.jsonl');

/** How often Node checks open connections against the header and request timeouts. */
const CONNECTIONS_CHECK_MS = 1000;

/** Closes, at once, a connection from an address that already holds `max` (0: no cap). */
function capConnectionsPerAddress(server: Server, max: number): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) return void socket.destroy();
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

export interface RunningServer {
  url: string;
  /** The app serving now (null while the first index is built). */
  readonly app: YijuApp | null;
  feedback: FeedbackStore;
  /** Serves another runtime from the next request on (the index a background build brought up to date). */
  serve(rt: Runtime): void;
  /** Stops accepting connections, lets in-flight requests finish (up to the grace period), then flushes feedback. */
  close(): Promise<void>;
}

export interface ServerOverrides {
  logger?: Logger;
  port?: number;
  /** Overrides for the app's dependencies (tests). */
  deps?: Partial<AppDeps>;
  /** The configuration, when there is no runtime yet to take it from. */
  config?: Config;
  /** A background index build in progress, for /api/health (and the starting answers). */
  indexing?: () => IndexingStatus | null;
}

/** The Node runtime's dependencies for the app (feedback in the data folder unless another store is given). */
export function appDepsFor(rt: Runtime, logger: Logger, feedback: FeedbackStore = new JsonlFeedbackStore(feedbackPath(rt.config.dataDir))): AppDeps {
  const { config, opened } = rt;
  return {
    answerer: rt.answerer,
    search: (q, k, filter) => rt.retriever.retrieve(q, k, filter),
    documents: opened.index.documents,
    domain: rt.domain,
    feedback,
    info: { ...rt.info, runtime: 'node', counts: opened.manifest.counts, indexBuiltAt: opened.manifest.builtAt, version: VERSION, skipped: opened.skipped },
    options: httpOptionsOf(config),
    logger,
    // @hono/node-server passes the Node request objects as the app's env.
    peerAddress: (_req, env) => (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress,
  };
}

/**
 * Serves the app over HTTP on the configured host and port: the runtime's app, or, with no runtime yet (the first
 * index is being built), the starting app, until `serve` is given one.
 */
export async function startServer(rt: Runtime | null, overrides: ServerOverrides = {}): Promise<RunningServer> {
  const config = rt?.config ?? overrides.config;
  if (!config) throw new Error('startServer needs a runtime or a configuration');
  const { server: sc, http } = config;
  const logger = overrides.logger ?? jsonLogger((line) => process.stdout.write(`${line}\n`), http.logLevel);
  const assets = await buildWebAssets();
  // One feedback store for every app this server serves (a swap must not open a second writer).
  const feedback = overrides.deps?.feedback ?? new JsonlFeedbackStore(feedbackPath(config.dataDir));
  const appFor = (runtime: Runtime) =>
    createApp({ ...appDepsFor(runtime, logger, feedback), assets, ...(overrides.indexing ? { indexing: overrides.indexing } : {}), ...overrides.deps });

  // Requests the adapter cannot turn into a Request (a bad Host or request target) get the JSON error too.
  const listenerFor = (fetch: (request: Request, env?: unknown) => Response | Promise<Response>) =>
    getRequestListener(fetch, {
      hostname: sc.host,
      errorHandler: (err) => {
        const bad = err instanceof RequestError;
        if (!bad) logger.log('error', { msg: 'adapter error', error: String((err as Error)?.message ?? err) });
        return Response.json(
          bad
            ? { error: { code: 'bad_request', message: 'malformed request (check the Host header and the request target)' } }
            : { error: { code: 'internal', message: 'Something went wrong on the server; the error was logged.' } },
          { status: bad ? 400 : 500 },
        );
      },
    });
  let app: YijuApp | null = rt ? appFor(rt) : null;
  let listener = listenerFor(app ? app.fetch : createStartingApp({ version: VERSION, indexing: overrides.indexing ?? (() => null) }).fetch);
  // HTTP/1.1 requires a Host header (RFC 9112 §3.2): Node would answer its absence with an empty 400; this one says why.
  const server = createServer({ requireHostHeader: false, connectionsCheckingInterval: CONNECTIONS_CHECK_MS }, (req, res) => {
    if (req.headers.host !== undefined || req.httpVersion !== '1.1') return void listener(req, res);
    res
      .writeHead(400, { 'Content-Type': 'application/json', Connection: 'close' })
      .end(JSON.stringify({ error: { code: 'bad_request', message: 'HTTP/1.1 requests need a Host header' } }));
  });
  // An Expect header other than 100-continue: Node answers 417 itself, with an empty body, unless told otherwise.
  server.on('checkExpectation', (_req, res: ServerResponse) => {
    res
      .writeHead(417, { 'Content-Type': 'application/json', Connection: 'close' })
      .end(JSON.stringify({ error: { code: 'expectation_failed', message: 'only "Expect: 100-continue" is supported' } }));
  });
  // Slow clients: headers within headersTimeoutMs, the whole request within requestTimeoutMs (408 otherwise).
  server.headersTimeout = sc.headersTimeoutMs;
  server.requestTimeout = Math.max(sc.requestTimeoutMs, sc.headersTimeoutMs + 1);
  capConnectionsPerAddress(server, sc.maxConnectionsPerAddress);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(overrides.port ?? sc.port, sc.host, () => resolve());
  });
  // Requests Node's HTTP parser rejects (bad request line, raw non-ASCII in the URL, oversized headers) get a JSON error too.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) return void socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({
      error: tooLarge
        ? { code: 'headers_too_large', message: 'the request headers are too large' }
        : { code: 'bad_request', message: 'malformed HTTP request (percent-encode non-ASCII characters in the URL)' },
    });
    socket.end(
      `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  const { port } = server.address() as AddressInfo;
  const host = sc.host === '0.0.0.0' || sc.host === '::' ? 'localhost' : sc.host.includes(':') ? `[${sc.host}]` : sc.host;
  const url = `http://${host}:${port}`;

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      logger.log('info', { msg: 'shutting down', graceMs: sc.shutdownGraceMs });
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections: new requests on them are answered with Connection: close, and each is
      // closed as soon as it goes idle (after its in-flight response), so shutdown does not wait for keep-alive timeouts.
      server.on('request', (_req, res: ServerResponse) => res.setHeader('Connection', 'close'));
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), sc.shutdownGraceMs)));
      if ((await Promise.race([closed, grace])) === 'timeout') {
        logger.log('warn', { msg: 'grace period over: closing open connections' });
        server.closeAllConnections();
        await closed;
      }
      clearTimeout(timer);
      clearInterval(sweep);
      await (feedback.close ? feedback.close() : feedback.flush());
      logger.log('info', { msg: 'stopped' });
    })());

  const serve = (runtime: Runtime) => {
    app = appFor(runtime);
    listener = listenerFor(app.fetch);
  };
  return {
    url,
    get app() {
      return app;
    },
    feedback,
    serve,
    close,
  };
}

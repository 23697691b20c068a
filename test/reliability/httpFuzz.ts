/**
 * Shared pieces of the reliability tests (not a test file itself): a real
 * server over the real corpus on an ephemeral port, a raw HTTP client that
 * can send what fetch refuses to (any method, framing, header bytes, invalid
 * percent escapes), and the checks every response must pass.
 */
import { request as httpRequest, Agent, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { expect } from 'vitest';
import { loadConfig } from '../../src/node/config.js';
import { createRuntime, type Runtime } from '../../src/node/runtime.js';
import { startServer, type RunningServer } from '../../src/node/server.js';
import { withDeadline } from '../helpers/async.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { dataDirWithIndex, e2eEnv } from '../helpers/e2eIndex.js';
import { expectNoStack, memoryLogger, parseSSE } from '../helpers/http.js';

/** The fixed seed of every property (override with YIJU_FUZZ_SEED to explore; fast-check prints it on failure). */
export const SEED = Number(process.env.YIJU_FUZZ_SEED ?? 0x5eed_2024);
/** Multiplies every numRuns (YIJU_FUZZ_SCALE=10 for a long local run). */
export const SCALE = Number(process.env.YIJU_FUZZ_SCALE ?? 1);
export const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

export interface Started {
  server: RunningServer;
  rt: Runtime;
  logger: ReturnType<typeof memoryLogger>;
  dataDir: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** A real runtime (extractive answers) served by startServer on port 0, configured through the environment like production. */
export async function startReliabilityServer(prefix: string, env: Record<string, string>): Promise<Started> {
  const tmp = await dataDirWithIndex(prefix);
  const rt = await createRuntime(loadConfig(e2eEnv(tmp.dir, env)), { embedder: tmp.embedder });
  const logger = memoryLogger();
  const server = await startServer(rt, { logger });
  const url = new URL(server.url);
  return {
    server,
    rt,
    logger,
    dataDir: tmp.dir,
    host: url.hostname,
    port: Number(url.port),
    close: async () => {
      await server.close();
      tmp.cleanup();
    },
  };
}

export type Headers = Record<string, string | string[]>;

export interface Req {
  method: string;
  /** The request target exactly as sent (already percent-encoded, or deliberately not). */
  path: string;
  headers: Headers;
  body?: Uint8Array;
  /** Send the body in pieces with Transfer-Encoding: chunked (no Content-Length). */
  chunked?: boolean;
  localAddress?: string;
}

export interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
  text: string;
}

/** A keep-alive HTTP client over node:http with its own agent (so its sockets can be counted and closed). */
export class Client {
  readonly agent: Agent;
  constructor(
    readonly host: string,
    readonly port: number,
    maxSockets = 8,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  send(req: Req, timeoutMs = 30_000): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const headers: Headers = { ...req.headers };
      if (req.body && !req.chunked) headers['Content-Length'] = String(req.body.length);
      let responded = false;
      const r = httpRequest(
        { host: this.host, port: this.port, method: req.method, path: req.path, headers, agent: this.agent, localAddress: req.localAddress },
        (res) => {
          responded = true;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => reject(new Error(`the response was cut off: ${String(err)} (${describeReq(req)})`)));
          res.on('aborted', () => reject(new Error(`the response was aborted (${describeReq(req)})`)));
          res.on('end', () => {
            const bytes = Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, text: bytes.toString('utf8') });
          });
        },
      );
      r.setTimeout(timeoutMs, () => r.destroy(new Error(`no response within ${timeoutMs} ms (${describeReq(req)})`)));
      // Writing the rest of a body the server has already refused (413) may fail; the response still counts.
      r.on('error', (err) => {
        if (!responded) reject(new Error(`request failed before a response: ${String(err)} (${describeReq(req)})`));
      });
      if (!req.body) return void r.end();
      if (!req.chunked) return void r.end(req.body);
      const piece = Math.max(1, Math.ceil(req.body.length / 7));
      for (let i = 0; i < req.body.length; i += piece) r.write(req.body.subarray(i, i + piece));
      r.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Whether `buf` holds at least one complete HTTP response (by Content-Length, chunked terminator, or a bodiless status). */
/** Drops interim (1xx) responses, such as the "100 Continue" Node sends for "Expect: 100-continue". */
export const finalResponse = (text: string): string => text.replace(/^(?:HTTP\/1\.[01] 1\d\d[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n)+/u, '');

function completeResponse(buf: Buffer, headRequest: boolean): boolean {
  const text = finalResponse(buf.toString('latin1'));
  const extra = buf.length - Buffer.byteLength(text, 'latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = text.slice(0, end);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/u.exec(head)?.[1] ?? 0);
  if (headRequest || status === 204 || status === 304 || (status >= 100 && status < 200)) return status >= 200;
  const length = /\r\ncontent-length: *(\d+)/iu.exec(head);
  if (length) return buf.length - extra - (end + 4) >= Number(length[1]);
  if (/\r\ntransfer-encoding: *chunked/iu.test(head)) return /(?:^|\r\n)0\r\n\r\n$/u.test(text.slice(end + 4));
  return false;
}

/**
 * Writes raw bytes on a fresh connection and returns what the server sends: once a
 * complete response has arrived, or the server closes the connection. If nothing
 * arrives for `idleMs` (a request still waiting for its body), the client half-closes
 * and waits for the server to close. (Half-closing at once would make Node drop the
 * response of any request still being processed.)
 */
export function rawExchange(
  host: string,
  port: number,
  bytes: Uint8Array,
  { ms = 15_000, idleMs = 300 }: { ms?: number; idleMs?: number } = {},
): Promise<Buffer> {
  const headRequest = Buffer.from(bytes.subarray(0, 5)).toString('latin1') === 'HEAD ';
  return withDeadline(
    new Promise<Buffer>((resolve, reject) => {
      const socket = connect({ host, port });
      const chunks: Buffer[] = [];
      let idle: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(idle);
        socket.destroy();
        resolve(Buffer.concat(chunks));
      };
      const arm = () => {
        clearTimeout(idle);
        idle = setTimeout(() => socket.end(), idleMs);
      };
      socket.on('data', (c: Buffer) => {
        chunks.push(c);
        if (completeResponse(Buffer.concat(chunks), headRequest)) finish();
        else arm();
      });
      socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
      socket.on('close', finish);
      socket.on('connect', () => {
        socket.write(bytes);
        arm();
      });
    }),
    ms,
    'the server never answered (or never closed) a raw request',
  );
}

/** A short description of a request for failure messages. */
export function describeReq(req: Req): string {
  const body = req.body
    ? ` body=${req.body.length}B${req.chunked ? ' chunked' : ''} ${JSON.stringify(Buffer.from(req.body.subarray(0, 160)).toString('latin1'))}`
    : '';
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${String(v).slice(0, 80)}`)
    .join(' | ');
  return `${req.method} ${req.path.slice(0, 300)}${req.path.length > 300 ? `…(${req.path.length})` : ''} [${headers}]${body}`;
}

const header = (res: Res, name: string): string => {
  const v = res.headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
};
export { header };

/** Things no response may contain: the configured keys, the repository and data folder paths. */
export interface Secrets {
  values: readonly string[];
}

const STACKY = [/\n\s*at \S/u, /^\s*at .+:\d+:\d+\)?$/mu, /\.[cm]?[jt]sx?:\d+/u, /node_modules/u, /\/src\//u];

/** Whether text trips the no-stack check (used to keep generated inputs, which errors may echo, free of it). */
export const looksLikeALeak = (text: string, secrets: Secrets): boolean => STACKY.some((re) => re.test(text)) || secrets.values.some((s) => text.includes(s));

/** No stack, no internal path, no configured secret: in the body and in every header. */
export function expectNoLeak(res: Res, secrets: Secrets, info: string): void {
  const headerText = Object.entries(res.headers)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)
    .join('\n');
  for (const text of [res.text, headerText]) {
    expectNoStack(text);
    for (const secret of secrets.values) expect(text.includes(secret), `a response leaks "${secret.slice(0, 12)}…": ${info}`).toBe(false);
  }
}

export const JSON_TYPE = /^application\/json\b/u;

/** The one error shape: `{"error":{"code","message"}}` with JSON content type and nothing else. */
export function expectErrorShape(res: Res, info: string): { code: string; message: string } {
  expect(header(res, 'content-type'), `a ${res.status} that is not JSON: ${info}\n${res.text.slice(0, 300)}`).toMatch(JSON_TYPE);
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    throw new Error(`a ${res.status} whose body is not JSON: ${info}\n${res.text.slice(0, 300)}`);
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
  expect(Object.keys(body as object), info).toEqual(['error']);
  expect(typeof error?.code, info).toBe('string');
  expect(typeof error?.message, info).toBe('string');
  expect(String(error?.message).trim().length, info).toBeGreaterThan(0);
  return error as { code: string; message: string };
}

/** Paths whose 404 is an HTML page for people (the source viewer), not an API error. */
const HTML_404 = /^\/documents\/[^/?#]+(?:[?#].*)?$/u;

/** The source viewer's "not found" page (HTML by design). */
export const isViewer404 = (req: Req, res: Res): boolean =>
  res.status === 404 && req.method === 'GET' && /^text\/html\b/u.test(header(res, 'content-type')) && HTML_404.test(req.path);

/**
 * What every response must satisfy: no 5xx; a 4xx is the JSON error shape (except the
 * viewer's HTML 404 page); a 2xx JSON body parses; an event stream ends properly; no leaks.
 */
export function expectWellBehaved(req: Req, res: Res, secrets: Secrets): void {
  const info = `${res.status} for ${describeReq(req)}`;
  expect(res.status, `${info}\n${res.text.slice(0, 500)}`).toBeGreaterThanOrEqual(200);
  expect(res.status, `${info}\n${res.text.slice(0, 500)}`).toBeLessThan(500);
  expectNoLeak(res, secrets, info);
  const type = header(res, 'content-type');
  if (req.method === 'HEAD') {
    expect(res.bytes.length, `a HEAD response with a body: ${info}`).toBe(0);
    return;
  }
  if (res.status >= 400) {
    if (isViewer404(req, res)) {
      // The viewer's "not found" page: the id it echoes is escaped.
      expect(res.text).not.toMatch(/<x-fuzz/iu);
      return;
    }
    expectErrorShape(res, info);
    return;
  }
  if (JSON_TYPE.test(type)) {
    expect(() => JSON.parse(res.text), `a 2xx with invalid JSON: ${info}`).not.toThrow();
  } else if (/^text\/event-stream\b/u.test(type)) {
    expectCompleteStream(req, res, info);
  } else if (/^text\/html\b/u.test(type)) {
    expect(res.text, `a page echoes unescaped markup: ${info}`).not.toMatch(/<x-fuzz/iu);
  }
}

/** /api/chat ends with `done` (an Answer); /v1/chat/completions ends with `[DONE]` after a stop chunk. */
export function expectCompleteStream(req: Req, res: Res, info: string): void {
  expect(res.status, info).toBe(200);
  const events = parseSSE(res.text);
  expect(events.length, `an empty event stream: ${info}`).toBeGreaterThan(0);
  const last = events.at(-1)!;
  const route = req.path.split('?')[0];
  if (route === '/v1/chat/completions') {
    expect(last.data, `the stream did not end with [DONE]: ${info}\n${res.text.slice(-400)}`).toBe('[DONE]');
    const stop = JSON.parse(events.at(-2)!.data) as { choices: { finish_reason: string | null }[] };
    expect(stop.choices[0]!.finish_reason).toBe('stop');
    for (const e of events.slice(0, -1)) expect(() => JSON.parse(e.data)).not.toThrow();
  } else {
    expect(last.event, `the stream did not end with done: ${info}\n${res.text.slice(-400)}`).toBe('done');
    const answer = JSON.parse(last.data) as { id: string; answer: string; citations: unknown[] };
    expect(answer.id).toMatch(/^ans_\w+$/u);
    expect(typeof answer.answer).toBe('string');
    expect(Array.isArray(answer.citations)).toBe(true);
    for (const e of events) expect(() => JSON.parse(e.data)).not.toThrow();
  }
}

/** Open TCP sockets of this process (client and server ends). */
export const openSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

export { REPO_ROOT };

/** The first response in raw bytes from the server: status, lower-cased headers and the (de-chunked) body. */
export function parseRawResponse(reply: Buffer): { status: number; headers: Record<string, string>; body: string } | null {
  const text = finalResponse(reply.toString('latin1'));
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/u.exec(statusLine!)?.[1] ?? NaN);
  const headers: Record<string, string> = {};
  for (const line of lines) headers[line.slice(0, line.indexOf(':')).trim().toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
  let body = text.slice(end + 4);
  if (/chunked/iu.test(headers['transfer-encoding'] ?? '')) {
    let out = '';
    for (;;) {
      const nl = body.indexOf('\r\n');
      const size = nl < 0 ? 0 : parseInt(body.slice(0, nl), 16);
      if (!size) break;
      out += body.slice(nl + 2, nl + 2 + size);
      body = body.slice(nl + 2 + size + 2);
    }
    body = out;
  } else if (headers['content-length'] !== undefined) body = body.slice(0, Number(headers['content-length']));
  return { status, headers, body: Buffer.from(body, 'latin1').toString('utf8') };
}

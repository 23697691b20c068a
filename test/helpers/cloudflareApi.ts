import { createServer, type IncomingMessage, type Server } from 'node:http';
import { fnv1a } from './fakeEmbedder.js';
import { listen } from './listen.js';

/**
 * A local stand-in for Cloudflare's REST API v4 (the parts Yiju's push uses), for
 * tests. It follows the documented requests, envelopes and limits:
 * - every response is `{ result, success, errors: [{ code, message }], messages }`;
 *   requests need `Authorization: Bearer <token>` for the right account (else 401 / 403);
 * - Workers AI: `POST /accounts/{account_id}/ai/run/{model}` with `{ text: string[] }` (at most 100)
 *   → `{ shape: [n, d], data: number[][] }`, deterministic pseudo-embeddings (see `fakeEmbedding`);
 * - Vectorize v2 (`/accounts/{account_id}/vectorize/v2/indexes/{index_name}`): GET → `{ name, config: { dimensions, metric }, created_on }`;
 *   `/upsert` takes NDJSON (`Content-Type: application/x-ndjson`, one `{ id, values }` per line, ids of at most
 *   64 bytes, exactly `dimensions` values, at most 5000 vectors) → `{ mutationId }`, all or nothing;
 *   `/delete_by_ids` `{ ids }` → `{ mutationId }`; `/query` `{ vector, topK, returnValues, returnMetadata }` → `{ count, matches }`.
 * Failures can be injected per operation (`fail`) and every call is recorded.
 *
 *   const cf = await startCloudflareApi({ indexes: [{ name: 'yiju', dimensions: 1024 }] });
 *   restVectorize({ baseUrl: cf.baseUrl, accountId: cf.accountId, apiToken: cf.token, index: 'yiju' });
 */

export type CloudflareOp = 'ai.run' | 'vectorize.info' | 'vectorize.upsert' | 'vectorize.delete_by_ids' | 'vectorize.query' | 'unknown';

export interface CloudflareCall {
  op: CloudflareOp;
  method: string;
  path: string;
  status: number;
  contentType?: string;
  authorization?: string;
  index?: string;
  model?: string;
  /** ai.run: the texts; upsert/delete: the ids (as stored). */
  texts?: string[];
  ids?: string[];
}

export interface FakeIndex {
  name: string;
  dimensions: number;
  metric: 'cosine' | 'euclidean' | 'dot-product';
  created_on: string;
  vectors: Map<string, number[]>;
}

export interface FailureRule {
  /** HTTP status to answer with; 0 cuts the connection instead (a network failure). */
  status: number;
  /** How many requests fail (default 1). */
  times?: number;
  /** How many requests to the operation (from now on) are answered normally before the failures start (default 0). */
  after?: number;
  retryAfter?: string;
  errors?: { code: number; message: string }[];
}

export interface CloudflareApiOptions {
  token?: string;
  accountId?: string;
  indexes?: { name: string; dimensions: number; metric?: FakeIndex['metric'] }[];
  /** Workers AI models and their output sizes (default: bge-m3, 1024). */
  models?: Record<string, number>;
}

export interface CloudflareApi {
  /** e.g. http://127.0.0.1:54321/client/v4 */
  baseUrl: string;
  token: string;
  accountId: string;
  calls: CloudflareCall[];
  callsTo(op: CloudflareOp): CloudflareCall[];
  index(name: string): FakeIndex | undefined;
  createIndex(name: string, dimensions: number, metric?: FakeIndex['metric']): FakeIndex;
  deleteIndex(name: string): void;
  fail(op: CloudflareOp, rule: FailureRule): void;
  clearFailures(): void;
  close(): Promise<void>;
}

export const VECTORIZE_MAX_ID_BYTES = 64;
export const VECTORIZE_MAX_UPSERT = 5000;
export const WORKERS_AI_MAX_TEXTS = 100;

/** The fake's embedding of a text: deterministic, unnormalised, different for different texts. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  let s = fnv1a(text) || 1;
  const out = new Array<number>(dimensions);
  for (let i = 0; i < dimensions; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 0xffffffff) * 2 - 1;
  }
  return out;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const ok = (result: unknown): Reply => ({ status: 200, body: { result, success: true, errors: [], messages: [] } });
const error = (status: number, code: number, message: string): Reply => ({
  status,
  body: { result: null, success: false, errors: [{ code, message }], messages: [] },
});

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

export async function startCloudflareApi(options: CloudflareApiOptions = {}): Promise<CloudflareApi> {
  const token = options.token ?? 'cf-test-token-0123456789';
  const accountId = options.accountId ?? '0123456789abcdef0123456789abcdef';
  const models = options.models ?? { '@cf/baai/bge-m3': 1024 };
  const indexes = new Map<string, FakeIndex>();
  const calls: CloudflareCall[] = [];
  /** Injected failures: each starts at the `start`-th request (counted per operation) and fails `times` of them. */
  const rules = new Map<CloudflareOp, (FailureRule & { start: number; failed: number })[]>();
  const requestsPerOp = new Map<CloudflareOp, number>();
  let mutation = 0;
  let created = 0;

  const createIndex = (name: string, dimensions: number, metric: FakeIndex['metric'] = 'cosine') => {
    const index: FakeIndex = { name, dimensions, metric, created_on: new Date(Date.UTC(2026, 0, 1, 0, 0, ++created)).toISOString(), vectors: new Map() };
    indexes.set(name, index);
    return index;
  };
  for (const i of options.indexes ?? []) createIndex(i.name, i.dimensions, i.metric);
  const mutationId = () => `00000000-0000-4000-8000-${String(++mutation).padStart(12, '0')}`;

  /** The injected failure for this request, if any. */
  const injected = (op: CloudflareOp): FailureRule | undefined => {
    const n = requestsPerOp.get(op) ?? 0;
    requestsPerOp.set(op, n + 1);
    const rule = (rules.get(op) ?? []).find((r) => n >= r.start && r.failed < (r.times ?? 1));
    if (rule) rule.failed++;
    return rule;
  };

  const route = (method: string, segments: string[]): { op: CloudflareOp; account?: string; index?: string; model?: string } => {
    // segments after /client/v4: accounts/{id}/ai/run/{model...} or accounts/{id}/vectorize/v2/indexes/{name}[/{op}]
    if (segments[0] !== 'accounts' || !segments[1]) return { op: 'unknown' };
    const account = segments[1];
    if (method === 'POST' && segments[2] === 'ai' && segments[3] === 'run' && segments.length > 4)
      return { op: 'ai.run', account, model: segments.slice(4).join('/') };
    if (segments[2] === 'vectorize' && segments[3] === 'v2' && segments[4] === 'indexes' && segments[5]) {
      const index = segments[5];
      if (method === 'GET' && segments.length === 6) return { op: 'vectorize.info', account, index };
      if (method === 'POST' && segments.length === 7 && ['upsert', 'delete_by_ids', 'query'].includes(segments[6]!))
        return { op: `vectorize.${segments[6]}` as CloudflareOp, account, index };
    }
    return { op: 'unknown' };
  };

  const handle = async (req: IncomingMessage, call: CloudflareCall, text: string, target: ReturnType<typeof route>): Promise<Reply | 'cut'> => {
    if (call.op === 'unknown') return error(404, 7003, `Could not route to ${call.path}, perhaps your object identifier is invalid?`);
    if (req.headers.authorization !== `Bearer ${token}`) return error(401, 10000, 'Authentication error');
    if (target.account !== accountId) return error(403, 10000, 'Authentication error');
    const failure = injected(call.op);
    if (failure) {
      if (failure.status === 0) return 'cut';
      const reply = error(
        failure.status,
        failure.errors?.[0]?.code ?? (failure.status === 429 ? 971 : 10001),
        failure.errors?.[0]?.message ?? `injected failure ${failure.status}`,
      );
      (reply.body as { errors: unknown[] }).errors = failure.errors ?? (reply.body as { errors: unknown[] }).errors;
      return { ...reply, headers: failure.retryAfter ? { 'retry-after': failure.retryAfter } : undefined };
    }

    if (call.op === 'ai.run') {
      const dims = models[target.model!];
      if (!dims) return error(400, 5007, `No such model ${target.model} or task`);
      const body = parseJson(text) as { text?: unknown } | undefined;
      const texts = typeof body?.text === 'string' ? [body.text] : body?.text;
      if (!Array.isArray(texts) || !texts.length || !texts.every((t) => typeof t === 'string'))
        return error(400, 5006, "Error: required properties at '/' are 'text'");
      if (texts.length > WORKERS_AI_MAX_TEXTS) return error(400, 5006, `Error: /text: must NOT have more than ${WORKERS_AI_MAX_TEXTS} items`);
      call.texts = texts as string[];
      const data = (texts as string[]).map((t) => fakeEmbedding(t, dims));
      return ok({ shape: [data.length, dims], data, pooling: 'cls' });
    }

    const index = indexes.get(target.index!);
    if (!index) return error(404, 3000, `vectorize.index.not_found: ${target.index}`);
    if (call.op === 'vectorize.info') {
      return ok({
        name: index.name,
        description: '',
        config: { dimensions: index.dimensions, metric: index.metric },
        created_on: index.created_on,
        modified_on: index.created_on,
      });
    }
    if (call.op === 'vectorize.upsert') {
      if (!/^application\/x-ndjson\b/u.test(call.contentType ?? ''))
        return error(400, 40026, `expected Content-Type application/x-ndjson, got ${call.contentType ?? 'none'}`);
      const lines = text.split('\n').filter((l) => l.trim());
      if (!lines.length) return error(400, 40007, 'VECTOR_UPSERT_ERROR: no vectors in the request');
      if (lines.length > VECTORIZE_MAX_UPSERT) return error(400, 40007, `VECTOR_UPSERT_ERROR: at most ${VECTORIZE_MAX_UPSERT} vectors per request`);
      const parsed: { id: string; values: number[] }[] = [];
      for (const line of lines) {
        const v = parseJson(line) as { id?: unknown; values?: unknown } | undefined;
        if (!v || typeof v.id !== 'string' || !v.id) return error(400, 40006, 'VECTOR_UPSERT_ERROR: a line is not a vector with an id');
        if (bytes(v.id) > VECTORIZE_MAX_ID_BYTES)
          return error(400, 40008, `VECTOR_UPSERT_ERROR (code = 40008): id too long (${bytes(v.id)} bytes > ${VECTORIZE_MAX_ID_BYTES}): ${v.id}`);
        if (!Array.isArray(v.values) || !v.values.every((x) => typeof x === 'number' && Number.isFinite(x)))
          return error(400, 40006, `VECTOR_UPSERT_ERROR: invalid values for id=${v.id}`);
        if (v.values.length !== index.dimensions)
          return error(
            400,
            40012,
            `VECTOR_UPSERT_ERROR (code = 40012): invalid vector for id="${v.id}", expected ${index.dimensions} dimensions, and got ${v.values.length} dimensions`,
          );
        parsed.push({ id: v.id, values: v.values as number[] });
      }
      for (const v of parsed) index.vectors.set(v.id, v.values);
      call.ids = parsed.map((v) => v.id);
      return ok({ mutationId: mutationId() });
    }
    if (call.op === 'vectorize.delete_by_ids') {
      const body = parseJson(text) as { ids?: unknown } | undefined;
      if (!Array.isArray(body?.ids) || !body.ids.every((id) => typeof id === 'string'))
        return error(400, 40006, "VECTOR_DELETE_ERROR: 'ids' must be an array of strings");
      call.ids = body.ids as string[];
      for (const id of call.ids) index.vectors.delete(id);
      return ok({ mutationId: mutationId() });
    }
    // query
    const body = parseJson(text) as { vector?: unknown; topK?: unknown; returnValues?: unknown; returnMetadata?: unknown } | undefined;
    const vector = body?.vector;
    if (!Array.isArray(vector) || vector.length !== index.dimensions)
      return error(400, 40012, `VECTOR_QUERY_ERROR: expected a vector of ${index.dimensions} dimensions`);
    const topK = typeof body?.topK === 'number' ? body.topK : 5;
    const max = body?.returnValues || (body?.returnMetadata && body.returnMetadata !== 'none') ? 20 : 100;
    if (topK > max) return error(400, 40025, `VECTOR_QUERY_ERROR (code = 40025): topK must be at most ${max}`);
    const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0)) || 1;
    const q = norm(vector as number[]);
    const matches = [...index.vectors]
      .map(([id, v]) => ({ id, score: Array.from(v).reduce((s, x, i) => s + x * (vector as number[])[i]!, 0) / (q * norm(v)) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, topK);
    return ok({ count: matches.length, matches });
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const segments = path
        .replace(/^\/client\/v4\/?/u, '')
        .split('/')
        .filter(Boolean)
        .map((s) => decodeURIComponent(s));
      const method = req.method ?? 'GET';
      const target = path.startsWith('/client/v4/') ? route(method, segments) : { op: 'unknown' as const };
      const call: CloudflareCall = {
        op: target.op,
        method,
        path,
        status: 0,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        index: 'index' in target ? target.index : undefined,
        model: 'model' in target ? target.model : undefined,
      };
      calls.push(call);
      const text = await readBody(req);
      const reply = await handle(req, call, text, target);
      if (reply === 'cut') {
        req.socket.destroy();
        return;
      }
      call.status = reply.status;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    })().catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ result: null, success: false, errors: [{ code: 10002, message: String(err) }], messages: [] }));
      } else res.destroy();
    });
  });
  const listening = await listen(server);

  return {
    baseUrl: `${listening.url}/client/v4`,
    token,
    accountId,
    calls,
    callsTo: (op) => calls.filter((c) => c.op === op),
    index: (name) => indexes.get(name),
    createIndex,
    deleteIndex: (name) => void indexes.delete(name),
    fail: (op, rule) => {
      const list = rules.get(op) ?? [];
      list.push({ ...rule, start: (requestsPerOp.get(op) ?? 0) + (rule.after ?? 0), failed: 0 });
      rules.set(op, list);
    },
    clearFailures: () => rules.clear(),
    close: listening.close,
  };
}

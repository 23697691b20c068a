import type { VectorizeBinding } from './vectorizeStore.js';
import type { WorkersAiBinding } from './workersAiEmbedder.js';

/**
 * Small clients over Cloudflare's REST API v4 (global `fetch` only, so they run
 * anywhere), for pushing vectors from outside a Worker: Workers AI as a
 * `WorkersAiBinding` and a Vectorize v2 index as a `VectorizeBinding`. Every
 * response is the v4 envelope `{ result, success, errors: [{ code, message }], messages }`.
 * 429 and 5xx answers (and network failures) are retried with exponential backoff.
 */

export const CLOUDFLARE_API_BASE_URL = 'https://api.cloudflare.com/client/v4';

export interface CloudflareRestOptions {
  accountId: string;
  /** An API token (sent as `Authorization: Bearer …`, never put in messages). */
  apiToken: string;
  /** Default https://api.cloudflare.com/client/v4 (tests and proxies set another). */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Waits between retries (injectable so tests need not wait). */
  sleep?: (ms: number) => Promise<void>;
  /** Retries after the first attempt for 429, 5xx and network failures. */
  retries?: number;
  /** First backoff delay; doubles on each retry (a Retry-After header wins, up to maxDelayMs). */
  retryDelayMs?: number;
  maxDelayMs?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
}

/** A failed Cloudflare API call: what was attempted, the status, Cloudflare's error codes and what to check. */
export class CloudflareApiError extends Error {
  override name = 'CloudflareApiError';
  constructor(
    message: string,
    /** HTTP status; 0 when Cloudflare could not be reached. */
    readonly status: number,
    readonly errors: { code?: number; message?: string }[],
    /** What to check or do about it. */
    readonly hint: string,
  ) {
    super(message);
  }
}

interface Envelope<T> {
  result?: T;
  success?: boolean;
  errors?: { code?: number; message?: string }[];
  messages?: unknown[];
}

interface Call {
  method: 'GET' | 'POST';
  path: string;
  /** What the call does, for messages (e.g. "Vectorize upsert to index yiju"). */
  what: string;
  body?: string;
  contentType?: string;
  /** Explains a status the caller knows more about (e.g. 404 → the index does not exist). */
  hintFor?: (status: number) => string | undefined;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The shared transport: auth, envelopes, retries, readable errors without the token. */
export class CloudflareRest {
  readonly baseUrl: string;
  readonly accountId: string;
  private readonly token: string;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;

  constructor(options: CloudflareRestOptions) {
    if (!options.accountId) throw new TypeError('Cloudflare account id missing');
    if (!options.apiToken) throw new TypeError('Cloudflare API token missing');
    this.baseUrl = (options.baseUrl ?? CLOUDFLARE_API_BASE_URL).replace(/\/+$/u, '');
    this.accountId = options.accountId;
    this.token = options.apiToken;
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? sleepFor;
    this.retries = options.retries ?? 4;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  /** `/accounts/{account_id}` followed by the given path segments, each URL-encoded. */
  accountPath(...segments: string[]): string {
    return `/accounts/${encodeURIComponent(this.accountId)}/${segments.map(encodeURIComponent).join('/')}`;
  }

  private redact(text: string): string {
    return this.token ? text.split(this.token).join('***') : text;
  }

  async call<T>(call: Call): Promise<T> {
    const url = `${this.baseUrl}${call.path}`;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchFn(url, {
          method: call.method,
          headers: { Authorization: `Bearer ${this.token}`, ...(call.contentType ? { 'Content-Type': call.contentType } : {}) },
          body: call.body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        if (attempt < this.retries) {
          await this.sleep(this.backoff(attempt));
          continue;
        }
        const e = err as Error & { cause?: { code?: string; message?: string } };
        const cause = this.redact([e?.message ?? String(err), e?.cause?.code ?? e?.cause?.message].filter(Boolean).join(': '));
        throw new CloudflareApiError(
          `${call.what} failed: could not reach ${this.baseUrl} after ${attempt + 1} attempts (${cause})`,
          0,
          [],
          'check the network connection and proxy settings (or CLOUDFLARE_API_BASE_URL), then run the command again',
        );
      }
      const text = await res.text().catch(() => '');
      let envelope: Envelope<T> | undefined;
      try {
        envelope = text ? (JSON.parse(text) as Envelope<T>) : undefined;
      } catch {
        envelope = undefined;
      }
      const ok = res.ok && envelope?.success === true;
      if (ok) return envelope!.result as T;
      const retryable = res.status === 429 || res.status >= 500;
      if (retryable && attempt < this.retries) {
        await this.sleep(this.backoff(attempt, res.headers.get('retry-after')));
        continue;
      }
      throw this.failure(call, res.status, res.statusText, envelope, text, attempt + 1);
    }
  }

  private backoff(attempt: number, retryAfter?: string | null): number {
    const seconds = retryAfter ? Number(retryAfter) : NaN;
    const ms = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : this.retryDelayMs * 2 ** attempt;
    return Math.min(ms, this.maxDelayMs);
  }

  private failure(call: Call, status: number, statusText: string, envelope: Envelope<unknown> | undefined, text: string, attempts: number): CloudflareApiError {
    const errors = (Array.isArray(envelope?.errors) ? envelope.errors : []).map((e) => ({
      code: e?.code,
      message: typeof e?.message === 'string' ? this.redact(e.message) : e?.message,
    }));
    const detail = errors.length
      ? errors.map((e) => `[${e.code ?? '?'}] ${e.message ?? ''}`.trim()).join('; ')
      : envelope
        ? 'the response reported no success'
        : text
          ? `non-JSON response: ${text.slice(0, 200).replace(/\s+/gu, ' ')}`
          : 'empty response';
    const statusPart = status && !(status >= 200 && status < 300) ? `HTTP ${status}${statusText ? ` ${statusText}` : ''}` : `HTTP ${status}, success: false`;
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    const hint =
      call.hintFor?.(status) ??
      (status === 401 || status === 403
        ? `check CLOUDFLARE_API_TOKEN (valid, not expired) and CLOUDFLARE_ACCOUNT_ID (${this.accountId}); create a token at dash.cloudflare.com → My Profile → API Tokens`
        : status === 429
          ? 'Cloudflare is rate limiting this account; wait a minute and run the command again (finished work is not redone)'
          : status >= 500
            ? 'Cloudflare had a server error; run the command again later (finished work is not redone)'
            : 'check the request parameters named above');
    return new CloudflareApiError(this.redact(`${call.what} failed: ${statusPart}${tries}: ${detail}`), status, errors, this.redact(hint));
  }
}

/** Workers AI over REST: `POST /accounts/{account_id}/ai/run/{model}` with `{ text: [...] }`. */
export function restWorkersAi(options: CloudflareRestOptions | CloudflareRest): WorkersAiBinding {
  const rest = options instanceof CloudflareRest ? options : new CloudflareRest(options);
  return {
    async run(model: string, inputs: { text: string[] }): Promise<unknown> {
      // Model ids contain slashes (@cf/baai/bge-m3); they are path segments of the URL, as Cloudflare documents.
      const modelPath = model
        .split('/')
        .map((s) => encodeURIComponent(s).replace(/^%40/u, '@'))
        .join('/');
      return rest.call({
        method: 'POST',
        path: `${rest.accountPath('ai', 'run')}/${modelPath}`,
        what: `Workers AI ${model}`,
        body: JSON.stringify({ text: inputs.text }),
        contentType: 'application/json',
        hintFor: (status) =>
          status === 401 || status === 403
            ? `the API token needs the permission "Workers AI: Read" (or "Workers AI: Edit") on account ${rest.accountId}; edit or create it at dash.cloudflare.com → My Profile → API Tokens`
            : status === 404 || status === 400
              ? `check the model id (${model}) against developers.cloudflare.com/workers-ai/models and the account id (${rest.accountId})`
              : undefined,
      });
    },
  };
}

export interface VectorizeIndexInfo {
  name: string;
  config: { dimensions: number; metric: string };
  created_on?: string;
  modified_on?: string;
  description?: string;
}

export interface RestVectorize extends VectorizeBinding {
  readonly indexName: string;
  /** The index's name and configuration (dimensions, metric). */
  info(): Promise<VectorizeIndexInfo>;
}

export interface RestVectorizeOptions {
  index: string;
  /** Used in the "create it" hint when the index does not exist (default 1024). */
  dimensions?: number;
}

/** A Vectorize v2 index over REST: upsert (NDJSON), delete_by_ids, query and the index's info. */
export function restVectorize(options: (CloudflareRestOptions | { rest: CloudflareRest }) & RestVectorizeOptions): RestVectorize {
  const rest = 'rest' in options ? options.rest : new CloudflareRest(options);
  const index = options.index;
  const base = rest.accountPath('vectorize', 'v2', 'indexes', index);
  const hintFor = (status: number) =>
    status === 404
      ? `the Vectorize index "${index}" does not exist in account ${rest.accountId}; create it: npx wrangler vectorize create ${index} --dimensions=${options.dimensions ?? 1024} --metric=cosine`
      : status === 401 || status === 403
        ? `the API token needs the permission "Vectorize: Edit" on account ${rest.accountId}; edit or create it at dash.cloudflare.com → My Profile → API Tokens`
        : undefined;
  const post = <T>(op: string, body: string, contentType: string) =>
    rest.call<T>({ method: 'POST', path: `${base}/${op}`, what: `Vectorize ${op.replace(/_/gu, ' ')} (index ${index})`, body, contentType, hintFor });

  return {
    indexName: index,
    async info() {
      const result = await rest.call<VectorizeIndexInfo>({ method: 'GET', path: base, what: `Vectorize index ${index}`, hintFor });
      if (!result || typeof result.config?.dimensions !== 'number') {
        throw new CloudflareApiError(
          `Vectorize index ${index}: the response holds no dimensions (is it a v2 index?)`,
          200,
          [],
          `recreate it: npx wrangler vectorize create ${index} --dimensions=${options.dimensions ?? 1024} --metric=cosine`,
        );
      }
      return result;
    },
    async upsert(vectors) {
      if (!vectors.length) return {};
      const ndjson = vectors
        .map((v) => JSON.stringify(v.metadata ? { id: v.id, values: v.values, metadata: v.metadata } : { id: v.id, values: v.values }))
        .join('\n');
      const result = await post<{ mutationId?: string } | null>('upsert', ndjson, 'application/x-ndjson');
      return { mutationId: result?.mutationId };
    },
    async deleteByIds(ids) {
      if (!ids.length) return {};
      const result = await post<{ mutationId?: string } | null>('delete_by_ids', JSON.stringify({ ids }), 'application/json');
      return { mutationId: result?.mutationId };
    },
    async query(vector, queryOptions) {
      const result = await post<{ count?: number; matches?: { id: string; score: number }[] } | null>(
        'query',
        JSON.stringify({
          vector,
          topK: queryOptions.topK,
          returnValues: queryOptions.returnValues ?? false,
          returnMetadata: queryOptions.returnMetadata ?? 'none',
        }),
        'application/json',
      );
      return { count: result?.count, matches: result?.matches ?? [] };
    },
  };
}

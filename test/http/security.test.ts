/**
 * API keys, rate limits, CORS and the security headers, through app.request()
 * against apps built over one real runtime with different options.
 *
 * Security tests live in three files, one per layer (test/README.md, "Security tests"):
 * - test/http/security.test.ts: the rules, one example each, through app.request();
 * - test/reliability/security.test.ts: the same rules as fast-check properties against a real server on loopback;
 * - test/browser/security.test.ts: what a page does with hostile text, in Chromium.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { forwardedAddress } from '../../src/http/middleware/client.js';
import type { HttpOptions } from '../../src/http/options.js';
import type { Runtime } from '../../src/node/runtime.js';
import { buildRuntime, expectError, JSON_TYPE, makeApp, parseSSE, postJson } from '../helpers/http.js';

const QUESTION = { question: '初信初访应该怎么处理？' };
const ALLOWED = 'https://allowed.example';
const OTHER = 'https://evil.example';
const KEY_MESSAGE = 'a valid API key is required: send "Authorization: Bearer <key>"';

let rt: Runtime;

beforeAll(async () => {
  rt = await buildRuntime();
}, 180_000);

const appWith = (options: Partial<HttpOptions>) => makeApp(rt, options);
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const get = (headers: Record<string, string> = {}): RequestInit => ({ headers });
const preflight = (origin: string, headers = 'content-type, authorization'): RequestInit => ({
  method: 'OPTIONS',
  headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': headers },
});
const accessControl = (res: Response) => [...res.headers.keys()].filter((k) => k.startsWith('access-control-'));

describe('API keys (apiKeys: k1, k2)', () => {
  const keyed = () => appWith({ apiKeys: ['k1', 'k2'] });

  it('POST /api/ask and GET /v1/models without a key → 401 JSON with WWW-Authenticate: Bearer', async () => {
    const { app } = keyed();
    for (const [path, init] of [
      ['/api/ask', postJson(QUESTION)],
      ['/v1/models', get()],
    ] as const) {
      const res = await app.request(path, init);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/u);
      await expectError(res, 401, 'unauthorized', KEY_MESSAGE);
    }
  });

  it('every other /api and /v1 endpoint needs the key too, and nothing is done without it', async () => {
    const { app, feedback } = keyed();
    for (const [path, init] of [
      ['/api/chat', postJson(QUESTION)],
      ['/api/search?q=x', get()],
      ['/api/documents', get()],
      ['/api/documents/001_0ef072b5e6e0e6d4', get()],
      ['/api/feedback', postJson({ question: '问', rating: 'up' })],
      ['/v1/chat/completions', postJson({ model: 'yiju', messages: [{ role: 'user', content: '问' }] })],
    ] as const) {
      const res = await app.request(path, init);
      expect(res.headers.get('www-authenticate'), path).toMatch(/^Bearer\b/u);
      await expectError(res, 401, 'unauthorized', KEY_MESSAGE);
    }
    expect(feedback.records).toEqual([]);
  });

  it('a wrong key → 401 with WWW-Authenticate error="invalid_token"', async () => {
    const { app } = keyed();
    for (const key of ['nope', 'k3', 'k1k2', 'K1']) {
      const res = await app.request('/api/ask', postJson(QUESTION, bearer(key)));
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/u);
      await expectError(res, 401, 'unauthorized', 'the API key is not valid');
    }
  });

  it('either right key → 200 (the scheme name is case-insensitive)', async () => {
    const { app } = keyed();
    for (const headers of [bearer('k1'), bearer('k2'), { Authorization: 'bearer k2' }]) {
      const ask = await app.request('/api/ask', postJson(QUESTION, headers));
      expect(ask.status).toBe(200);
      expect(((await ask.json()) as { grounded: boolean }).grounded).toBe(true);
      const models = await app.request('/v1/models', get(headers));
      expect(models.status).toBe(200);
      expect(((await models.json()) as { data: { id: string }[] }).data[0]!.id).toBe('yiju');
    }
  });

  it('an Authorization header with another scheme (Basic) is a missing key: 401 that says how to send one', async () => {
    const { app } = keyed();
    const res = await app.request('/api/ask', postJson(QUESTION, { Authorization: `Basic ${Buffer.from('user:k1').toString('base64')}` }));
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/u);
    await expectError(res, 401, 'unauthorized', KEY_MESSAGE);
  });

  it('/api/health, /api/openapi.json and /api/docs are open without a key', async () => {
    const { app } = keyed();
    const health = await app.request('/api/health');
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    const spec = await app.request('/api/openapi.json');
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as { openapi: string }).openapi).toBe('3.1.0');
    const docs = await app.request('/api/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html\b/u);
  });
});

describe('rate limit (3 per 60 s)', () => {
  const limited = (extra: Partial<HttpOptions> = {}) => appWith({ rateLimit: 3, rateWindowSeconds: 60, ...extra });

  it('3 requests pass with RateLimit-* headers counting down; the 4th → 429 JSON with Retry-After', async () => {
    const { app } = limited();
    for (const remaining of [2, 1, 0]) {
      const res = await app.request('/api/documents');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('3');
      expect(res.headers.get('ratelimit-remaining')).toBe(String(remaining));
      expect(res.headers.get('ratelimit-reset')).toMatch(/^\d+$/u);
    }
    const res = await app.request('/api/documents');
    const retryAfter = res.headers.get('retry-after');
    expect(retryAfter).toMatch(/^[1-9]\d*$/u);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect(res.headers.get('ratelimit-limit')).toBe('3');
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    await expectError(res, 429, 'rate_limited', `too many requests: at most 3 per 60 s; retry after ${retryAfter} s`);
  });

  it('the budget is shared by the /api endpoints, and a limited request does no work', async () => {
    const { app, feedback } = limited();
    expect((await app.request('/api/ask', postJson(QUESTION))).status).toBe(200);
    expect((await app.request(`/api/search?q=${encodeURIComponent('越级访')}`)).status).toBe(200);
    expect((await app.request('/api/documents')).status).toBe(200);
    await expectError(await app.request('/api/feedback', postJson({ question: '问', rating: 'up' })), 429, 'rate_limited');
    await expectError(await app.request('/api/chat', postJson(QUESTION)), 429, 'rate_limited');
    expect(feedback.records).toEqual([]);
  });

  it('/api/* and /v1/* draw on the same per-client budget (3 per window in all, not 3 each)', async () => {
    const { app } = limited();
    for (let i = 0; i < 3; i++) expect((await app.request('/api/documents')).status).toBe(200);
    await expectError(await app.request('/v1/models'), 429, 'rate_limited');
    await expectError(
      await app.request('/v1/chat/completions', postJson({ model: 'yiju', messages: [{ role: 'user', content: '初信初访应该怎么处理？' }] })),
      429,
      'rate_limited',
    );
  });

  it('limits are per client: two API keys have separate budgets', async () => {
    const { app } = limited({ apiKeys: ['k1', 'k2'] });
    for (let i = 0; i < 3; i++) expect((await app.request('/v1/models', get(bearer('k1')))).status).toBe(200);
    await expectError(await app.request('/v1/models', get(bearer('k1'))), 429, 'rate_limited');
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/v1/models', get(bearer('k2')));
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-remaining')).toBe(String(2 - i));
    }
    await expectError(await app.request('/v1/models', get(bearer('k2'))), 429, 'rate_limited');
  });

  it('a shared (publishable) key: each address using it has its own budget', async () => {
    const { app } = limited({ apiKeys: ['pk_widget'], rateLimit: 1, trustProxy: 1 });
    const from = (ip: string) => get({ ...bearer('pk_widget'), 'X-Forwarded-For': ip });
    expect((await app.request('/v1/models', from('203.0.113.1'))).status).toBe(200);
    await expectError(await app.request('/v1/models', from('203.0.113.1')), 429, 'rate_limited');
    expect((await app.request('/v1/models', from('203.0.113.2'))).status).toBe(200);
  });

  it('X-Forwarded-For names the client only behind a trusted proxy', async () => {
    const direct = limited({ rateLimit: 1 }).app;
    expect((await direct.request('/api/documents', get({ 'X-Forwarded-For': '203.0.113.1' }))).status).toBe(200);
    await expectError(await direct.request('/api/documents', get({ 'X-Forwarded-For': '203.0.113.2' })), 429, 'rate_limited');
  });

  it('behind one trusted proxy the client is the address it appended (rightmost), whatever the client put before it', async () => {
    const proxied = limited({ rateLimit: 1, trustProxy: 1 }).app;
    expect((await proxied.request('/api/documents', get({ 'X-Forwarded-For': '198.51.100.7, 203.0.113.1' }))).status).toBe(200);
    // The same client choosing a new leftmost entry each time stays in its own bucket.
    for (const spoof of ['198.51.100.8', '10.0.0.1', 'garbage'])
      await expectError(await proxied.request('/api/documents', get({ 'X-Forwarded-For': `${spoof}, 203.0.113.1` })), 429, 'rate_limited');
    expect((await proxied.request('/api/documents', get({ 'X-Forwarded-For': '198.51.100.7, 203.0.113.2' }))).status).toBe(200);
  });

  it('invalid keys are limited per address too: a spoofed leftmost entry does not buy new guesses', async () => {
    const { app } = limited({ apiKeys: ['k1'], rateLimit: 2, trustProxy: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await app.request('/v1/models', get({ ...bearer(`guess${i}`), 'X-Forwarded-For': `198.51.100.${i}, 203.0.113.9` }))).status);
    expect(statuses).toEqual([401, 401, 429, 429, 429, 429]);
  });

  it('with two trusted proxies, the second entry from the right', async () => {
    const { app } = limited({ rateLimit: 1, trustProxy: 2 });
    expect((await app.request('/api/documents', get({ 'X-Forwarded-For': 'spoof, 203.0.113.5, 10.0.0.2' }))).status).toBe(200);
    await expectError(await app.request('/api/documents', get({ 'X-Forwarded-For': 'other, 203.0.113.5, 10.0.0.3' })), 429, 'rate_limited');
  });

  it('/api/health, /api/openapi.json and /api/docs are not limited', async () => {
    const { app } = limited();
    for (let i = 0; i < 4; i++) await app.request('/api/documents');
    await expectError(await app.request('/api/documents'), 429, 'rate_limited');
    for (let i = 0; i < 10; i++) {
      for (const path of ['/api/health', '/api/openapi.json', '/api/docs']) {
        const res = await app.request(path);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('ratelimit-remaining')).toBeNull();
      }
    }
  });
});

describe('CORS', () => {
  it('a preflight from an allowed origin → 204 with the origin, the methods and Authorization allowed', async () => {
    const { app } = appWith({ corsOrigins: [ALLOWED] });
    for (const path of ['/api/ask', '/api/chat', '/v1/chat/completions']) {
      const res = await app.request(path, preflight(ALLOWED));
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      const headers = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/u);
      expect(headers).toContain('authorization');
      expect(headers).toContain('content-type');
      expect(res.headers.get('access-control-allow-methods')).toMatch(/\bPOST\b/u);
      expect(res.headers.get('vary')).toMatch(/\bOrigin\b/u);
      expect(await res.text()).toBe('');
    }
  });

  it('a preflight or request from another origin gets no Access-Control-Allow-Origin', async () => {
    const { app } = appWith({ corsOrigins: [ALLOWED] });
    const pre = await app.request('/api/ask', preflight(OTHER));
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await app.request('/api/documents', get({ Origin: OTHER }));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a request from the allowed origin can read the answer and the useful headers', async () => {
    const { app } = appWith({ corsOrigins: [ALLOWED], rateLimit: 10 });
    const res = await app.request('/api/ask', postJson(QUESTION, { Origin: ALLOWED }));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/u);
    for (const h of ['server-timing', 'retry-after', 'ratelimit-remaining', 'x-request-id']) expect(exposed).toContain(h);
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('with keys: the preflight needs no key, and a 401 carries the CORS headers so the page can read it', async () => {
    const { app } = appWith({ corsOrigins: [ALLOWED], apiKeys: ['k1'] });
    const pre = await app.request('/api/ask', preflight(ALLOWED));
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    const res = await app.request('/api/ask', postJson(QUESTION, { Origin: ALLOWED }));
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    await expectError(res, 401, 'unauthorized');
  });

  it('no corsOrigins configured → no CORS headers at all', async () => {
    const { app } = appWith({});
    const pre = await app.request('/api/ask', preflight(ALLOWED));
    expect(pre.status).not.toBe(204);
    expect(accessControl(pre)).toEqual([]);
    const res = await app.request('/api/documents', get({ Origin: ALLOWED }));
    expect(res.status).toBe(200);
    expect(accessControl(res)).toEqual([]);
    expect(res.headers.get('timing-allow-origin')).toBeNull();
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });
});

describe('security headers, request ids, Server-Timing', () => {
  it('every kind of response has nosniff, a locked-down CSP, Referrer-Policy and X-Request-Id', async () => {
    const { app } = appWith({ apiKeys: ['k1'] });
    const responses = {
      ask: await app.request('/api/ask', postJson(QUESTION, bearer('k1'))),
      chat: await app.request('/api/chat', postJson(QUESTION, bearer('k1'))),
      docs: await app.request('/api/docs'),
      health: await app.request('/api/health'),
      invalid: await app.request('/api/ask', postJson({ question: '' }, bearer('k1'))),
      unauthorized: await app.request('/api/ask', postJson(QUESTION)),
      notFound: await app.request('/nope'),
      notAllowed: await app.request('/api/ask', get(bearer('k1'))),
    };
    const ids = new Set<string>();
    for (const [name, res] of Object.entries(responses)) {
      expect(res.headers.get('x-content-type-options'), name).toBe('nosniff');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, name).toContain("default-src 'none'");
      expect(csp, name).toContain("frame-ancestors 'none'");
      expect(csp, name).not.toMatch(/script-src/u);
      expect(res.headers.get('referrer-policy'), name).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), name).toBe('SAMEORIGIN');
      const id = res.headers.get('x-request-id');
      expect(id, name).toMatch(/^[\w-]{8,}$/u);
      ids.add(id!);
      await res.text();
    }
    expect(ids.size).toBe(Object.keys(responses).length);
  });

  it('a well-formed X-Request-Id from the client is kept; a malformed one is replaced', async () => {
    const { app } = appWith({});
    expect((await app.request('/api/health', get({ 'X-Request-Id': 'trace-abc_123' }))).headers.get('x-request-id')).toBe('trace-abc_123');
    const replaced = (await app.request('/api/health', get({ 'X-Request-Id': 'bad id <script>' }))).headers.get('x-request-id');
    expect(replaced).toMatch(/^[\w-]{8,}$/u);
    expect(replaced).not.toContain('script');
  });

  it('Server-Timing: /api/ask has retrieval, generation and total; /api/search has retrieval', async () => {
    const { app } = appWith({});
    const ask = await app.request('/api/ask', postJson(QUESTION));
    expect(ask.status).toBe(200);
    const timing = ask.headers.get('server-timing') ?? '';
    for (const metric of ['retrieval', 'generation', 'total']) expect(timing).toMatch(new RegExp(`(^|,\\s*)${metric};dur=\\d+(\\.\\d+)?\\b`, 'u'));
    const search = await app.request(`/api/search?q=${encodeURIComponent('越级访怎么处理')}`);
    expect(search.status).toBe(200);
    expect(search.headers.get('server-timing') ?? '').toMatch(/(^|,\s*)retrieval;dur=\d+(\.\d+)?\b/u);
  });

  it('the SSE stream is served as text/event-stream without caching', async () => {
    const { app } = appWith({});
    const res = await app.request('/api/chat', postJson(QUESTION));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream\b/u);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(parseSSE(await res.text()).at(-1)!.event).toBe('done');
  });

  it('errors are JSON even for the API reference path with a wrong method', async () => {
    const { app } = appWith({});
    const res = await app.request('/api/openapi.json', { method: 'POST' });
    expect(res.headers.get('content-type')).toMatch(JSON_TYPE);
    await expectError(res, 405, 'method_not_allowed');
  });
});

describe('forwardedAddress', () => {
  it('counts trusted hops from the right; takes only an address; none without the header or hops', () => {
    expect(forwardedAddress('1.1.1.1, 203.0.113.1', 1)).toBe('203.0.113.1');
    expect(forwardedAddress('1.1.1.1, 203.0.113.1, 10.0.0.1', 2)).toBe('203.0.113.1');
    expect(forwardedAddress('203.0.113.1', 3)).toBe('203.0.113.1');
    expect(forwardedAddress('x, [2001:db8::1]:443', 1)).toBe('2001:db8::1');
    expect(forwardedAddress('x, 203.0.113.1:5000', 1)).toBe('203.0.113.1');
    expect(forwardedAddress('203.0.113.1, <script>', 1)).toBeUndefined();
    expect(forwardedAddress(undefined, 1)).toBeUndefined();
    expect(forwardedAddress('203.0.113.1', 0)).toBeUndefined();
  });
});

/**
 * Security properties of a real server configured like a public deployment:
 * API keys, two CORS origins, a small rate limit, a small body limit, behind a
 * trusted proxy (so each test can speak as its own client via X-Forwarded-For;
 * one test also uses real loopback source addresses). fast-check generates the
 * tokens, origins, bursts and bodies; fixed seed (YIJU_FUZZ_SEED to explore).
 *
 * - keys: no near-miss token ever gets a 2xx on a protected route; the real key always does;
 * - rate limit: a burst of 3× the limit from one client lets exactly `limit` through, the rest
 *   get 429 JSON with Retry-After; other keys and addresses are unaffected;
 * - CORS: Access-Control-Allow-Origin only for a configured origin; preflights for them work;
 * - body limit: oversized bodies get 413 JSON with or without Content-Length;
 * - no response (errors included) carries a key, a stack trace or an internal path.
 *
 * Security tests live in three files, one per layer (test/README.md, "Security tests"):
 * - test/http/security.test.ts: the rules, one example each, through app.request();
 * - test/reliability/security.test.ts: the same rules as fast-check properties against a real server on loopback;
 * - test/browser/security.test.ts: what a page does with hostile text, in Chromium.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOC_IDS, headerValue, utf8 } from './httpFuzzArbitraries.js';
import {
  Client,
  describeReq,
  expectErrorShape,
  expectNoLeak,
  header,
  isViewer404,
  parseRawResponse,
  rawExchange,
  REPO_ROOT,
  runs,
  SEED,
  startReliabilityServer,
  type Headers,
  type Req,
  type Res,
  type Secrets,
  type Started,
} from './httpFuzz.js';

const KEYS = ['sk_live_9f2c4e7a1b3d5f60a8c2', 'pk_widget_4d1e8b2a7c'];
const ORIGINS = ['https://allowed.example', 'https://partner.example:8443'];
const LIMIT = 5;
const WINDOW = 60;
const MAX_BODY = 4096;
const QUESTION = '初信初访应该怎么处理？';

let s: Started;
let client: Client;
let secrets: Secrets;
/** Every response of this file (for the final leak sweep and the status census). */
const seen: { req: Req; res: Res }[] = [];

beforeAll(async () => {
  s = await startReliabilityServer('yiju-sec-', {
    YIJU_API_KEYS: KEYS.join(','),
    YIJU_CORS_ORIGINS: ORIGINS.join(' '),
    YIJU_RATE_LIMIT: String(LIMIT),
    YIJU_RATE_WINDOW_SECONDS: String(WINDOW),
    YIJU_MAX_BODY_BYTES: String(MAX_BODY),
    YIJU_TRUST_PROXY: '1',
  });
  secrets = { values: [...KEYS, REPO_ROOT, s.dataDir] };
  client = new Client(s.host, s.port, 8);
}, 180_000);

afterAll(async () => {
  client?.close();
  await s?.close();
});

/** A fresh client address per call (198.18.0.0/15 is for benchmarks): each test gets its own rate budget. */
let ipCounter = 0;
const freshIp = () => {
  const n = ++ipCounter;
  return `198.18.${(n >> 8) & 255}.${n & 255}`;
};
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const get = (path: string, headers: Headers = {}): Req => ({ method: 'GET', path, headers });
const post = (path: string, body: unknown, headers: Headers = {}): Req => ({
  method: 'POST',
  path,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: utf8(typeof body === 'string' ? body : JSON.stringify(body)),
});

/** Sends, records, and checks what every response must satisfy: no 5xx, errors in the JSON shape, no leaks. */
async function exercise(req: Req, via: Client = client, { keyInRequest = false } = {}): Promise<Res> {
  const res = await via.send(req);
  seen.push({ req, res });
  const info = `${res.status} for ${describeReq(req)}: ${res.text.slice(0, 300)}`;
  expect(res.status, info).toBeLessThan(500);
  // A request that carries a key outside Authorization (a query string) may see its own URL echoed in a 404.
  expectNoLeak(res, keyInRequest ? { values: [REPO_ROOT, s.dataDir] } : secrets, info);
  if (res.status >= 400 && req.method !== 'HEAD' && !isViewer404(req, res)) expectErrorShape(res, info);
  return res;
}

/** The protected routes, cheap and expensive, each as a request builder. */
const PROTECTED: readonly ((h: Headers) => Req)[] = [
  (h) => get('/api/documents', h),
  (h) => get(`/api/documents/${DOC_IDS[0]}`, h),
  (h) => get(`/api/search?q=${encodeURIComponent('越级访')}&k=2`, h),
  (h) => get('/api/suggestions', h),
  (h) => get('/v1/models', h),
  (h) => post('/api/ask', { question: QUESTION }, h),
  (h) => post('/api/chat', { question: QUESTION }, h),
  (h) => post('/api/feedback', { question: '信访', rating: 'up' }, h),
  (h) => post('/v1/chat/completions', { model: 'yiju', messages: [{ role: 'user', content: QUESTION }] }, h),
];
const protectedRoute = fc.integer({ min: 0, max: PROTECTED.length - 1 }).map((i) => PROTECTED[i]!);

/**
 * The spec of a valid Authorization header: after the parser strips surrounding
 * whitespace, "Bearer" in any case, one or more spaces, exactly a configured key,
 * optional trailing spaces.
 */
function grants(value: string): boolean {
  const m = /^([A-Za-z]+) +(\S+) *$/u.exec(value.replace(/^[ \t]+|[ \t]+$/gu, ''));
  return !!m && m[1]!.toLowerCase() === 'bearer' && KEYS.includes(m[2]!);
}

describe('API keys', () => {
  const key = fc.constantFrom(...KEYS);
  const tokenChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~+/='.split(''));
  const flipCase = (k: string, i: number) => k.slice(0, i) + (k[i] === k[i]!.toUpperCase() ? k[i]!.toLowerCase() : k[i]!.toUpperCase()) + k.slice(i + 1);
  /** Tokens near the real keys: prefixes, suffixes, extensions, case changes, one character off, both keys at once. */
  const nearMiss = fc.oneof(
    key.chain((k) => fc.integer({ min: 1, max: k.length - 1 }).map((i) => k.slice(0, i))),
    key.chain((k) => fc.integer({ min: 1, max: k.length - 1 }).map((i) => k.slice(i))),
    key.chain((k) => fc.string({ unit: tokenChar, minLength: 1, maxLength: 6 }).map((x) => k + x)),
    key.chain((k) => fc.string({ unit: tokenChar, minLength: 1, maxLength: 6 }).map((x) => x + k)),
    key.chain((k) => fc.nat(k.length - 1).map((i) => flipCase(k, i))).filter((t) => !KEYS.includes(t)),
    key.map((k) => k.toUpperCase()),
    key.chain((k) => fc.nat(k.length - 1).map((i) => k.slice(0, i) + String.fromCharCode(k.charCodeAt(i) ^ 1) + k.slice(i + 1))),
    fc.constantFrom(KEYS.join(''), KEYS.join(','), `${KEYS[0]};${KEYS[1]}`, `"${KEYS[0]}"`, `'${KEYS[0]}'`, `<${KEYS[0]}>`),
    fc.stringMatching(/^[\x21-\x7e]{1,48}$/u),
  );
  /** Whole Authorization values: near-miss tokens, the real key in the wrong form, garbage. */
  const wrongAuthorization = fc
    .oneof(
      { weight: 4, arbitrary: nearMiss.map((t) => `Bearer ${t}`) },
      {
        weight: 3,
        arbitrary: key.chain((k) =>
          fc.constantFrom(
            `Basic ${Buffer.from(k).toString('base64')}`,
            `Basic ${Buffer.from(`user:${k}`).toString('base64')}`,
            `Token ${k}`,
            `ApiKey ${k}`,
            `Bearer: ${k}`,
            `Bearer=${k}`,
            `Bearer\t${k}`,
            `Bearer${k}`,
            `Bear ${k}`,
            `Bearerx ${k}`,
            k,
            `Bearer ${k} extra`,
            `Bearer ${k}, Bearer nope`,
            `Bearer ${k}\t`,
            `Bearer ${k}\u00a0`,
            `Bearer \u00a0${k}`,
            `Bearer ${Buffer.from(k).toString('base64')}`,
            `Bearer ${encodeURIComponent(`${k} `)}`,
          ),
        ),
      },
      { weight: 1, arbitrary: headerValue(80) },
    )
    .filter((v) => !grants(v));
  /** The real key as a client may legitimately send it: any case of "Bearer", extra spaces. */
  const rightAuthorization = fc
    .tuple(
      key,
      fc.constantFrom('Bearer', 'bearer', 'BEARER', 'BeArEr'),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 3 }),
      fc.constantFrom('', ' ', '\t'),
    )
    .map(([k, scheme, gap, trail, ows]) => `${ows}${scheme}${' '.repeat(gap)}${k}${' '.repeat(trail)}`);

  it('near-miss tokens and the key in the wrong form never get a 2xx on a protected route: 401 with WWW-Authenticate', async () => {
    await fc.assert(
      fc.asyncProperty(protectedRoute, wrongAuthorization, async (route, authorization) => {
        const req = route({ Authorization: authorization, 'X-Forwarded-For': freshIp() });
        const res = await exercise(req);
        const info = `${res.status} for ${describeReq(req)}`;
        expect(res.status, info).toBe(401);
        expect(header(res, 'www-authenticate'), info).toMatch(/^Bearer realm="yiju"/u);
        expect(expectErrorShape(res, info).code).toBe('unauthorized');
      }),
      { seed: SEED, numRuns: runs(500) },
    );
  }, 120_000);

  it('the key anywhere but Authorization (X-API-Key, a query parameter, a cookie, Proxy-Authorization) → 401', async () => {
    await fc.assert(
      fc.asyncProperty(protectedRoute, key, fc.constantFrom('x-api-key', 'query', 'cookie', 'proxy-authorization', 'api-key'), async (route, k, where) => {
        const base = route({ 'X-Forwarded-For': freshIp() });
        const req: Req =
          where === 'query'
            ? { ...base, path: `${base.path}${base.path.includes('?') ? '&' : '?'}api_key=${k}&access_token=${k}` }
            : {
                ...base,
                headers: {
                  ...base.headers,
                  ...(where === 'cookie'
                    ? { Cookie: `api_key=${k}; token=${k}` }
                    : where === 'proxy-authorization'
                      ? { 'Proxy-Authorization': `Bearer ${k}` }
                      : { [where]: k }),
                },
              };
        const res = await exercise(req, client, { keyInRequest: where === 'query' });
        expect(res.status, describeReq(req)).toBe(401);
      }),
      { seed: SEED, numRuns: runs(60) },
    );
  }, 60_000);

  it('the real key, however legitimately spelled, always gets a 2xx', async () => {
    await fc.assert(
      fc.asyncProperty(protectedRoute, rightAuthorization, async (route, authorization) => {
        expect(grants(authorization)).toBe(true);
        const req = route({ Authorization: authorization, 'X-Forwarded-For': freshIp() });
        const res = await exercise(req);
        expect([200, 201], `${res.status} for ${describeReq(req)}: ${res.text.slice(0, 200)}`).toContain(res.status);
      }),
      { seed: SEED, numRuns: runs(150) },
    );
  }, 120_000);

  it('without a key, no spelling of a protected path gets protected data (only the open paths and the pages answer 2xx)', async () => {
    const variants = fc.tuple(
      fc.constantFrom('/api/documents', `/api/documents/${DOC_IDS[1]}`, '/api/suggestions', '/v1/models', `/api/search?q=${encodeURIComponent('越级访')}`),
      fc.constantFrom(
        'plain',
        'double-slash',
        'dot-segment',
        'encoded-letter',
        'encoded-slash',
        'trailing-slash',
        'upper',
        'parent',
        'semicolon',
        'backslash-free-dots',
      ),
    );
    const spell = (path: string, how: string): string => {
      const [p, q] = path.split('?');
      const query = q === undefined ? '' : `?${q}`;
      switch (how) {
        case 'double-slash':
          return `/${p}${query}`;
        case 'dot-segment':
          return `${p!.replace(/^\/(api|v1)\//u, '/$1/./')}${query}`;
        case 'encoded-letter':
          return `${p!.replace(/^\/a/u, '/%61').replace(/^\/v/u, '/%76')}${query}`;
        case 'encoded-slash':
          return `${p!.replace(/^\/(api|v1)\//u, '/$1%2F')}${query}`;
        case 'trailing-slash':
          return `${p}/${query}`;
        case 'upper':
          return `${p!.toUpperCase()}${query}`;
        case 'parent':
          return `/assets/..${p}${query}`;
        case 'semicolon':
          return `${p};x=1${query}`;
        case 'backslash-free-dots':
          return `/%2e%2e${p}${query}`;
        default:
          return path;
      }
    };
    await fc.assert(
      fc.asyncProperty(variants, fc.option(fc.constantFrom('Bearer nope', `Bearer ${KEYS[0]!.slice(0, -1)}`)), async ([path, how], authorization) => {
        const req = get(spell(path, how), { 'X-Forwarded-For': freshIp(), ...(authorization ? { Authorization: authorization } : {}) });
        const res = await exercise(req);
        if (res.status < 300) {
          const type = header(res, 'content-type');
          const info = `${res.status} ${type} for ${describeReq(req)}: ${res.text.slice(0, 200)}`;
          // Only the open JSON (health, the API description) or a page may answer without a key.
          if (/^application\/json/u.test(type)) expect(Object.keys(JSON.parse(res.text) as object), info).not.toEqual(expect.arrayContaining(['documents']));
          expect(res.text, info).not.toMatch(/"(?:results|questions|data|text)":/u);
        }
      }),
      { seed: SEED, numRuns: runs(120) },
    );
  }, 60_000);
});

describe(`rate limit (${LIMIT} per ${WINDOW} s per client)`, () => {
  /** Runs a burst of requests at once, each on its own connection. */
  async function burst(reqs: Req[], localAddress?: string): Promise<Res[]> {
    const c = new Client(s.host, s.port, reqs.length);
    try {
      return await Promise.all(reqs.map((r) => exercise(localAddress ? { ...r, localAddress } : r, c)));
    } finally {
      c.close();
    }
  }

  function expectLimited(results: Res[], passed: (r: Res) => boolean, info: string) {
    const limited = results.filter((r) => r.status === 429);
    const through = results.filter((r) => r.status !== 429);
    expect(through.length, `${info}: statuses ${results.map((r) => r.status).join(',')}`).toBe(LIMIT);
    for (const r of through) expect(passed(r), `${info}: ${r.status} ${r.text.slice(0, 200)}`).toBe(true);
    for (const r of limited) {
      const retryAfter = header(r, 'retry-after');
      expect(retryAfter, info).toMatch(/^[1-9]\d*$/u);
      expect(Number(retryAfter), info).toBeLessThanOrEqual(WINDOW);
      expect(header(r, 'ratelimit-remaining'), info).toBe('0');
      expect(expectErrorShape(r, info).code).toBe('rate_limited');
    }
  }

  it(`a burst of ${3 * LIMIT} concurrent requests (any mix of routes) from one client: exactly ${LIMIT} pass, the rest 429; another key and another address are unaffected`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(protectedRoute, { minLength: 3 * LIMIT, maxLength: 3 * LIMIT }), fc.nat(KEYS.length - 1), async (routes, ki) => {
        const ip = freshIp();
        const results = await burst(routes.map((r) => r({ ...bearer(KEYS[ki]!), 'X-Forwarded-For': ip })));
        expectLimited(results, (r) => r.status === 200 || r.status === 201, `key #${ki + 1} from ${ip}`);
        // The same address with the other key, and the same key from another address: full budgets.
        const otherKey = await exercise(get('/v1/models', { ...bearer(KEYS[1 - ki]!), 'X-Forwarded-For': ip }));
        expect(otherKey.status).toBe(200);
        expect(header(otherKey, 'ratelimit-remaining')).toBe(String(LIMIT - 1));
        const otherIp = await exercise(get('/v1/models', { ...bearer(KEYS[ki]!), 'X-Forwarded-For': freshIp() }));
        expect(otherIp.status).toBe(200);
        expect(header(otherIp, 'ratelimit-remaining')).toBe(String(LIMIT - 1));
      }),
      { seed: SEED, numRuns: runs(8) },
    );
  }, 120_000);

  it(`guessing keys is rate limited too: ${3 * LIMIT} concurrent wrong keys from one address → ${LIMIT} × 401, the rest 429`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.stringMatching(/^[A-Za-z0-9_]{8,32}$/u), { minLength: 3 * LIMIT, maxLength: 3 * LIMIT }), async (guesses) => {
        const ip = freshIp();
        const results = await burst(guesses.map((g) => get('/v1/models', { ...bearer(g), 'X-Forwarded-For': ip })));
        expectLimited(results, (r) => r.status === 401, `guesses from ${ip}`);
      }),
      { seed: SEED, numRuns: runs(5) },
    );
  }, 60_000);

  it(`behind the trusted proxy, a client writing its own X-Forwarded-For entries does not choose its bucket: ${3 * LIMIT} requests, and ${3 * LIMIT} wrong keys, each with a new spoofed entry before the proxy's → ${LIMIT} pass`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.ipV4(), { minLength: 3 * LIMIT, maxLength: 3 * LIMIT }), async (spoofs) => {
        const ip = freshIp(); // what the proxy appended: the client's real address
        const served = await burst(spoofs.map((spoof) => get('/v1/models', { ...bearer(KEYS[0]!), 'X-Forwarded-For': `${spoof}, ${ip}` })));
        expectLimited(served, (r) => r.status === 200, `spoofed entries before ${ip}`);
        const other = freshIp();
        const guesses = await burst(spoofs.map((spoof, i) => get('/v1/models', { ...bearer(`guess_${i}_x`), 'X-Forwarded-For': `${spoof}, ${other}` })));
        expectLimited(guesses, (r) => r.status === 401, `wrong keys with spoofed entries before ${other}`);
      }),
      { seed: SEED, numRuns: runs(3) },
    );
  }, 60_000);

  it.skipIf(process.platform !== 'linux')(
    'by real source address (no X-Forwarded-For): a burst from 127.0.0.2 is limited, 127.0.0.3 is unaffected',
    async () => {
      const results = await burst(
        Array.from({ length: 3 * LIMIT }, () => get('/v1/models', bearer(KEYS[0]!))),
        '127.0.0.2',
      );
      expectLimited(results, (r) => r.status === 200, 'from 127.0.0.2');
      const other = new Client(s.host, s.port, 1);
      try {
        const res = await exercise({ ...get('/v1/models', bearer(KEYS[0]!)), localAddress: '127.0.0.3' }, other);
        expect(res.status).toBe(200);
        expect(header(res, 'ratelimit-remaining')).toBe(String(LIMIT - 1));
      } finally {
        other.close();
      }
    },
    60_000,
  );

  it('the open paths are never limited, even for a client over its budget', async () => {
    const ip = freshIp();
    await burst(Array.from({ length: LIMIT + 2 }, () => get('/v1/models', { ...bearer(KEYS[0]!), 'X-Forwarded-For': ip })));
    for (const path of ['/api/health', '/api/openapi.json', '/api/docs']) {
      for (let i = 0; i < 3; i++) expect((await exercise(get(path, { ...bearer(KEYS[0]!), 'X-Forwarded-For': ip }))).status, path).toBe(200);
    }
  });
});

describe('CORS', () => {
  const API_REQUESTS: readonly ((h: Headers) => Req)[] = [
    (h) => get('/api/documents', { ...bearer(KEYS[1]!), ...h }),
    (h) => get('/api/health', h),
    (h) => post('/api/ask', { question: QUESTION }, h), // 401: no key
    (h) => get('/api/nope', { ...bearer(KEYS[1]!), ...h }),
    (h) => get('/v1/models', { ...bearer(KEYS[1]!), ...h }),
    (h) => ({
      method: 'OPTIONS',
      path: '/api/ask',
      headers: { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, authorization', ...h },
    }),
    (h) => ({ method: 'OPTIONS', path: '/v1/chat/completions', headers: { 'Access-Control-Request-Method': 'POST', ...h } }),
  ];
  const PAGES: readonly string[] = ['/', '/widget.js', `/documents/${DOC_IDS[0]}`, '/demo', '/assets/app.js'];
  const nearMissOrigin = fc
    .constantFrom(...ORIGINS)
    .chain((o) =>
      fc.constantFrom(
        `${o}/`,
        o.toUpperCase(),
        o.replace('https:', 'http:'),
        `${o}.evil.example`,
        `${o}:443`,
        o.replace(/:\d+$/u, ''),
        `${o.replace('https://', 'https://evil.')}`,
        `https://evil.example/${o}`,
        `${o}, https://evil.example`,
        `https://evil.example ${o}`,
        `${o}\u0000`.replace('\u0000', '%00'),
        `${o}#`,
        `${o}?x`,
        o.replace('example', 'examp1e'),
      ),
    );
  const origin = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...ORIGINS) },
    { weight: 4, arbitrary: nearMissOrigin },
    { weight: 2, arbitrary: fc.webUrl().map((u) => new URL(u).origin) },
    { weight: 1, arbitrary: fc.constantFrom('null', '*', '', 'file://', 'https://allowed.example@evil.example') },
    { weight: 1, arbitrary: headerValue(60) },
  );
  /** Node strips surrounding whitespace from header values. */
  const configured = (o: string) => ORIGINS.includes(o.replace(/^[ \t]+|[ \t]+$/gu, ''));

  it('random Origins: Access-Control-Allow-Origin only ever for a configured origin, and then exactly it; never credentials', async () => {
    await fc.assert(
      fc.asyncProperty(origin, fc.integer({ min: 0, max: API_REQUESTS.length - 1 }), async (o, i) => {
        const req = API_REQUESTS[i]!({ Origin: o, 'X-Forwarded-For': freshIp() });
        const res = await exercise(req);
        const info = `${res.status} for ${describeReq(req)}`;
        const allowed = header(res, 'access-control-allow-origin');
        if (configured(o)) {
          expect(allowed, info).toBe(o.trim());
          expect(header(res, 'vary'), info).toMatch(/\bOrigin\b/iu);
        } else expect(allowed, info).toBe('');
        expect(header(res, 'access-control-allow-credentials'), info).toBe('');
      }),
      { seed: SEED, numRuns: runs(400) },
    );
  }, 60_000);

  it('pages and scripts outside /api and /v1 never get Access-Control-Allow-Origin, whatever the Origin', async () => {
    await fc.assert(
      fc.asyncProperty(origin, fc.constantFrom(...PAGES), async (o, path) => {
        const res = await exercise(get(path, { Origin: o }));
        expect(header(res, 'access-control-allow-origin'), `${path} from ${o}`).toBe('');
      }),
      { seed: SEED, numRuns: runs(60) },
    );
  }, 60_000);

  it('a preflight from each configured origin works on every API route (no key needed): 204, the origin, POST, Authorization', async () => {
    for (const o of ORIGINS) {
      for (const path of ['/api/ask', '/api/chat', '/api/feedback', '/api/search', '/api/documents', '/v1/chat/completions', '/v1/models']) {
        const res = await exercise({
          method: 'OPTIONS',
          path,
          headers: {
            Origin: o,
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'content-type, authorization',
            'X-Forwarded-For': freshIp(),
          },
        });
        const info = `${o} ${path}`;
        expect(res.status, info).toBe(204);
        expect(res.text, info).toBe('');
        expect(header(res, 'access-control-allow-origin'), info).toBe(o);
        expect(header(res, 'access-control-allow-methods'), info).toMatch(/\bPOST\b/u);
        const allowHeaders = header(res, 'access-control-allow-headers')
          .toLowerCase()
          .split(/\s*,\s*/u);
        expect(allowHeaders, info).toContain('authorization');
        expect(allowHeaders, info).toContain('content-type');
        expect(header(res, 'access-control-max-age'), info).toBe('600');
      }
    }
  });

  it('Timing-Allow-Origin (which lets a page read Server-Timing) is only given to configured origins', async () => {
    await fc.assert(
      fc.asyncProperty(
        origin.filter((o) => !configured(o)),
        fc.integer({ min: 0, max: 4 }),
        async (o, i) => {
          const req = API_REQUESTS[i]!({ Origin: o, 'X-Forwarded-For': freshIp() });
          const res = await exercise(req);
          expect(header(res, 'timing-allow-origin'), `${res.status} for ${describeReq(req)}`).toBe('');
        },
      ),
      { seed: SEED, numRuns: runs(40) },
    );
  }, 60_000);
});

describe(`request body limit (${MAX_BODY} bytes)`, () => {
  const POST_ROUTES = ['/api/ask', '/api/chat', '/api/feedback', '/v1/chat/completions'] as const;
  const type = fc.constantFrom<string | undefined>(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'multipart/form-data; boundary=x',
    undefined,
  );
  const body = (size: number, seed: number) => {
    const prefix = utf8('{"question":"');
    const out = new Uint8Array(size);
    out.set(prefix.subarray(0, size));
    for (let i = prefix.length; i < size; i++) out[i] = 0x61 + ((i * 31 + seed) % 26);
    return out;
  };
  const headersFor = (t: string | undefined, ip: string): Record<string, string> => ({
    ...bearer(KEYS[0]!),
    'X-Forwarded-For': ip,
    ...(t ? { 'Content-Type': t } : {}),
  });

  it('oversized bodies → 413 JSON payload_too_large: with Content-Length, chunked, chunked over a raw socket, or a huge declared length', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...POST_ROUTES),
        fc.oneof(fc.integer({ min: MAX_BODY + 1, max: MAX_BODY + 64 }), fc.integer({ min: MAX_BODY + 1, max: 64 * MAX_BODY })),
        fc.constantFrom('length', 'chunked', 'raw-chunked', 'declared-only'),
        type,
        fc.nat(),
        async (path, size, framing, t, seed) => {
          const ip = freshIp();
          const info = `${framing} ${size} B to ${path} as ${t}`;
          if (framing === 'length' || framing === 'chunked') {
            // Each on a connection of its own: see the keep-alive test below.
            const own = new Client(s.host, s.port, 1);
            try {
              const res = await exercise({ method: 'POST', path, headers: headersFor(t, ip), body: body(size, seed), chunked: framing === 'chunked' }, own);
              expect(res.status, info).toBe(413);
              expect(expectErrorShape(res, info).code).toBe('payload_too_large');
            } finally {
              own.close();
            }
            return;
          }
          const head = Object.entries(headersFor(t, ip))
            .map(([k, v]) => `${k}: ${v}\r\n`)
            .join('');
          let bytes: Uint8Array;
          if (framing === 'raw-chunked') {
            // Random chunk sizes, properly terminated, then the client half-closes.
            const payload = body(size, seed);
            const parts: Uint8Array[] = [];
            for (let i = 0, n = 1 + (seed % 997); i < payload.length; i += n, n = 1 + ((n * 7 + seed) % 2000)) {
              const piece = payload.subarray(i, i + n);
              parts.push(utf8(`${piece.length.toString(16)}\r\n`), piece, utf8('\r\n'));
            }
            bytes = Buffer.concat([utf8(`POST ${path} HTTP/1.1\r\nHost: x\r\n${head}Transfer-Encoding: chunked\r\n\r\n`), ...parts, utf8('0\r\n\r\n')]);
          } else {
            // A huge Content-Length and only a few bytes: the limit applies before the body arrives.
            bytes = Buffer.concat([utf8(`POST ${path} HTTP/1.1\r\nHost: x\r\n${head}Content-Length: ${size * 1000}\r\n\r\n`), body(Math.min(size, 100), seed)]);
          }
          const reply = await rawExchange(s.host, s.port, bytes);
          const parsed = parseRawResponse(reply);
          expect(parsed, `${info}: no response (${reply.toString('latin1').slice(0, 200)})`).not.toBeNull();
          expect(parsed!.status, `${info}: ${reply.toString('latin1').slice(0, 400)}`).toBe(413);
          expect(parsed!.headers['content-type'], info).toMatch(/^application\/json\b/u);
          expect((JSON.parse(parsed!.body) as { error: { code: string } }).error.code, info).toBe('payload_too_large');
          expect(parsed!.body, info).not.toMatch(/\n\s*at \S|node_modules|\/src\//u);
          for (const k of KEYS) expect(reply.toString('latin1').includes(k), info).toBe(false);
        },
      ),
      { seed: SEED, numRuns: runs(150) },
    );
  }, 120_000);

  it('bodies at or just under the limit are read (no 413), with or without Content-Length', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: MAX_BODY - 64, max: MAX_BODY }), fc.boolean(), async (size, chunked) => {
        const empty = utf8(JSON.stringify({ question: QUESTION, pad: '' })).length;
        const req: Req = {
          method: 'POST',
          path: '/api/ask',
          headers: headersFor('application/json', freshIp()),
          body: utf8(JSON.stringify({ question: QUESTION, pad: 'p'.repeat(size - empty) })),
          chunked,
        };
        expect(req.body!.length).toBe(size);
        const res = await exercise(req);
        expect(res.status, describeReq(req)).toBe(200);
      }),
      { seed: SEED, numRuns: runs(20) },
    );
  }, 60_000);

  it('a 413 leaves the client a usable keep-alive connection (or says "Connection: close")', async () => {
    // A keep-alive client (a browser, undici, an SDK) sends its next request on the same connection.
    for (const chunked of [false, true]) {
      const c = new Client(s.host, s.port, 1);
      try {
        const big = await exercise(
          { method: 'POST', path: '/api/ask', headers: headersFor('application/json', freshIp()), body: body(1_000_000, 1), chunked },
          c,
        );
        expect(big.status).toBe(413);
        const closing = /\bclose\b/iu.test(header(big, 'connection'));
        const next = await c.send(get('/api/health')).then(
          (r) => `${r.status}`,
          (err: Error) => err.message,
        );
        if (!closing)
          expect(
            next,
            `the next request on the connection after a ${chunked ? 'chunked' : 'Content-Length'} 413 (sent with "Connection: ${header(big, 'connection')}")`,
          ).toBe('200');
      } finally {
        c.close();
      }
    }
  }, 30_000);
});

describe('nothing leaks', () => {
  it('random requests without a key, with a wrong key and with the right key, on any path and method: no key, stack or path in any response', async () => {
    const path = fc.oneof(
      fc.constantFrom(
        '/api/health',
        '/api/ask',
        '/api/chat',
        '/api/search?q=x',
        '/api/documents',
        `/api/documents/${DOC_IDS[0]}`,
        '/api/documents/nope',
        '/api/feedback',
        '/api/suggestions',
        '/api/openapi.json',
        '/api/docs',
        '/v1/models',
        '/v1/chat/completions',
        '/',
        '/widget.js',
        '/demo',
        '/documents/nope',
        '/nope',
        '/api/nope',
        '/v1/nope',
        '/assets/nope.js',
      ),
      fc.stringMatching(/^\/(api|v1)\/[a-z]{1,8}$/u),
    );
    const authorization = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(...KEYS).map((k) => `Bearer ${k}`),
      fc.constantFrom('Bearer nope', `Bearer ${KEYS[0]}x`, `Basic ${Buffer.from(`u:${KEYS[1]}`).toString('base64')}`),
    );
    // A few of each kind of error for sure, then random ones.
    const k = bearer(KEYS[0]!);
    await exercise(post('/api/ask', '{"question":', { ...k, 'X-Forwarded-For': freshIp() }));
    await exercise(get('/api/search?k=0', { ...k, 'X-Forwarded-For': freshIp() }));
    await exercise(get('/api/ask', { ...k, 'X-Forwarded-For': freshIp() }));
    await exercise(get('/api/documents/nope', { ...k, 'X-Forwarded-For': freshIp() }));
    await exercise({ method: 'POST', path: '/api/ask', headers: { ...k, 'X-Forwarded-For': freshIp(), 'Content-Type': 'text/plain' }, body: utf8('hello') });
    await fc.assert(
      fc.asyncProperty(
        path,
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
        authorization,
        fc.boolean(),
        fc.boolean(),
        async (p, method, a, withBody, sameClient) => {
          const headers: Headers = { 'X-Forwarded-For': sameClient ? '198.19.0.1' : freshIp(), ...(a ? { Authorization: a } : {}) };
          const req: Req =
            withBody && method !== 'GET' && method !== 'HEAD'
              ? { method, path: p, headers: { ...headers, 'Content-Type': 'application/json' }, body: utf8('{"question":') }
              : { method, path: p, headers };
          await exercise(req);
        },
      ),
      { seed: SEED, numRuns: runs(400) },
    );
  }, 60_000);

  it(`every response of this file (401s, 404s, 405s, 413s, 429s included) was checked, and the server is still healthy`, async () => {
    const statuses = new Set(seen.map((x) => x.res.status));
    for (const status of [200, 201, 204, 400, 401, 404, 405, 413, 415, 429]) expect(statuses, `no ${status} was seen`).toContain(status);
    for (const { req, res } of seen) {
      const body = res.text;
      for (const k of KEYS) {
        if (!req.path.includes(k)) expect(body.includes(k), `key in the body of ${describeReq(req)}`).toBe(false);
      }
    }
    const health = await client.send(get('/api/health'));
    expect(health.status).toBe(200);
    expect(s.logger.records.filter((r) => r.level === 'error')).toEqual([]);
    console.log(`security: ${seen.length} responses checked; statuses ${[...statuses].sort().join(', ')}`);
  });
});

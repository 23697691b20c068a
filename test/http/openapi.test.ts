/**
 * /api/openapi.json describes what the app really does: every route is in it, and
 * real responses (success and error) validate against the schema it declares for
 * their path, method and status (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses).
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_PATH, REFERENCE_PATH, type YijuApp } from '../../src/http/app.js';
import type { HttpOptions } from '../../src/http/options.js';
import type { Runtime } from '../../src/node/runtime.js';
import { buildRuntime, JSON_TYPE, makeApp, parseSSE, postJson, rawPost } from '../helpers/http.js';

type Json = Record<string, unknown>;
type Schema = Json;
type MediaType = { schema?: Schema };
type Operation = {
  responses: Record<string, { description: string; content?: Record<string, MediaType> }>;
  requestBody?: { content: Record<string, MediaType> };
  security?: unknown[];
  parameters?: Json[];
};
type OpenAPIDoc = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> }; security?: unknown[] };

// ajv is CommonJS: the class is the module itself at run time, `default` for the type checker.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: typeof Ajv2020Module }).default ?? Ajv2020Module) as unknown as typeof Ajv2020Module.default;

const BASE = 'https://yiju.test/components/schemas/';
const QUESTION = '初信初访应该怎么处理？';
const OUT_OF_SCOPE = '今天北京天气怎么样？';
const DOC_ID = '001_0ef072b5e6e0e6d4';

/** Every operation the API offers (the OpenAPI document and the reference page aside). */
const OPERATIONS = [
  ['post', '/api/ask'],
  ['post', '/api/chat'],
  ['get', '/api/search'],
  ['post', '/api/search'],
  ['get', '/api/documents'],
  ['get', '/api/documents/{id}'],
  ['post', '/api/feedback'],
  ['get', '/api/health'],
  ['get', '/api/suggestions'],
  ['get', '/v1/models'],
  ['post', '/v1/chat/completions'],
] as const;

let rt: Runtime;
let app: YijuApp;
let doc: OpenAPIDoc;
let ajv: InstanceType<typeof Ajv2020>;

beforeAll(async () => {
  rt = await buildRuntime();
  app = makeApp(rt).app;
  const res = await app.request(OPENAPI_PATH);
  expect(res.status).toBe(200);
  doc = (await res.json()) as OpenAPIDoc;
  ajv = new Ajv2020({ allErrors: true, strict: true });
  ajv.addKeyword('example');
  for (const [name, schema] of Object.entries(doc.components.schemas)) ajv.addSchema(withAbsoluteRefs(schema), `${BASE}${name}`);
}, 180_000);

/** A copy of a schema with `#/components/schemas/X` references pointing at the schemas added to ajv. */
function withAbsoluteRefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withAbsoluteRefs) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', BASE) : withAbsoluteRefs(v)]),
    ) as T;
  }
  return value;
}

function operation(method: string, path: string): Operation {
  const op = doc.paths[path]?.[method];
  expect(op, `${method.toUpperCase()} ${path} is not in the OpenAPI document`).toBeDefined();
  return op!;
}

/** The schema the document declares for this response (which must be declared). */
function responseSchema(method: string, path: string, status: number, type = 'application/json'): Schema {
  const responses = operation(method, path).responses;
  const declared = responses[String(status)];
  expect(
    declared,
    `${method.toUpperCase()} ${path} answered ${status}, which the document does not declare (it declares ${Object.keys(responses).join(', ')})`,
  ).toBeDefined();
  const schema = declared!.content?.[type]?.schema;
  expect(schema, `${method.toUpperCase()} ${path} ${status} declares no ${type} schema`).toBeDefined();
  return schema!;
}

function expectValid(schema: Schema, value: unknown, what: string): void {
  const validate = ajv.compile(withAbsoluteRefs(schema));
  const ok = validate(value);
  expect(ok, `${what} does not match its schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 600)}`).toBe(true);
}

function expectInvalid(schema: Schema, value: unknown, what: string): void {
  expect(ajv.compile(withAbsoluteRefs(schema))(value), `${what} should not match its schema`).toBe(false);
}

/** Validates a real JSON response against the document; returns the body. */
async function expectDocumented(res: Response, method: string, path: string, status: number): Promise<unknown> {
  const text = await res.text();
  expect(res.status, `${method.toUpperCase()} ${path}: ${text.slice(0, 300)}`).toBe(status);
  expect(res.headers.get('content-type')).toMatch(JSON_TYPE);
  const body = JSON.parse(text) as unknown;
  expectValid(responseSchema(method, path, status), body, `${method.toUpperCase()} ${path} ${status}`);
  return body;
}

const requestSchema = (method: string, path: string): Schema => {
  const schema = operation(method, path).requestBody?.content['application/json']?.schema;
  expect(schema, `${method.toUpperCase()} ${path} declares no JSON request body`).toBeDefined();
  return schema!;
};

describe('the document', () => {
  it('is OpenAPI 3.1 and lists every operation the API offers', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const [method, path] of OPERATIONS) operation(method, path);
    expect(Object.keys(doc.paths).sort()).toEqual([...new Set(OPERATIONS.map(([, p]) => p))].sort());
  });

  it('every API route the app serves is documented (pages and scripts are not API)', () => {
    const served = app.routes
      .filter((r) => r.method !== 'ALL' && r.path !== OPENAPI_PATH && r.path !== REFERENCE_PATH && /^\/(api|v1)\//u.test(r.path))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/gu, '{$1}')}`);
    expect(served.length).toBeGreaterThanOrEqual(OPERATIONS.length);
    for (const route of new Set(served)) {
      const [method, path] = route.split(' ') as [string, string];
      expect(doc.paths[path]?.[method], `${route} is served but not documented`).toBeDefined();
    }
    expect(new Set(served)).toEqual(new Set(OPERATIONS.map(([m, p]) => `${m} ${p}`)));
  });

  it('every error response it declares is the one Error shape', () => {
    for (const [method, path] of OPERATIONS) {
      for (const [status, r] of Object.entries(operation(method, path).responses)) {
        if (Number(status) < 400) continue;
        expect(r.content?.['application/json']?.schema, `${method} ${path} ${status}`).toEqual({ $ref: '#/components/schemas/Error' });
      }
    }
  });

  it('with API keys configured, the operations that need none (health) say so', async () => {
    const keyed = makeApp(rt, { apiKeys: ['k1'] }).app;
    const keyedDoc = (await (await keyed.request(OPENAPI_PATH)).json()) as OpenAPIDoc;
    expect(keyedDoc.security).toEqual([{ apiKey: [] }]);
    // The app answers /api/health without a key; a document whose global security
    // applies to it tells clients the opposite.
    expect((await keyed.request('/api/health')).status).toBe(200);
    expect(keyedDoc.paths['/api/health']!.get!.security).toEqual([]);
  });
});

describe('real responses match the declared schemas', () => {
  it('POST /api/ask: 200 (grounded and not), 400, 415', async () => {
    const grounded = (await expectDocumented(await app.request('/api/ask', postJson({ question: QUESTION })), 'post', '/api/ask', 200)) as {
      grounded: boolean;
    };
    expect(grounded.grounded).toBe(true);
    const history = [
      { role: 'user', content: '市县两级多久排查一次矛盾纠纷？' },
      { role: 'assistant', content: '每周一排查。' },
    ];
    await expectDocumented(await app.request('/api/ask', postJson({ question: '那乡镇呢？', history, topK: 3 })), 'post', '/api/ask', 200);
    const out = (await expectDocumented(await app.request('/api/ask', postJson({ question: OUT_OF_SCOPE })), 'post', '/api/ask', 200)) as { grounded: boolean };
    expect(out.grounded).toBe(false);
    await expectDocumented(await app.request('/api/ask', postJson({ question: '' })), 'post', '/api/ask', 400);
    await expectDocumented(await app.request('/api/ask', postJson('{')), 'post', '/api/ask', 400);
    await expectDocumented(await app.request('/api/ask', rawPost('{"question":"x"}', { 'Content-Type': 'text/plain' })), 'post', '/api/ask', 415);
  });

  it('POST /api/chat: a text/event-stream 200 whose done event is the Answer schema; 400', async () => {
    const res = await app.request('/api/chat', postJson({ question: QUESTION }));
    expect(res.status).toBe(200);
    responseSchema('post', '/api/chat', 200, 'text/event-stream');
    const events = parseSSE(await res.text());
    expect(events.at(-1)!.event).toBe('done');
    expectValid(doc.components.schemas.Answer!, JSON.parse(events.at(-1)!.data), 'the done event');
    const { citations } = JSON.parse(events[0]!.data) as { citations: unknown[] };
    for (const c of citations) expectValid(doc.components.schemas.Citation!, c, 'a citation of the citations event');
    await expectDocumented(await app.request('/api/chat', postJson({ question: 5 })), 'post', '/api/chat', 400);
  });

  it('GET /api/search: 200, 400', async () => {
    await expectDocumented(await app.request(`/api/search?q=${encodeURIComponent('越级访怎么处理')}&k=3`), 'get', '/api/search', 200);
    await expectDocumented(await app.request(`/api/search?q=${encodeURIComponent(OUT_OF_SCOPE)}`), 'get', '/api/search', 200);
    await expectDocumented(await app.request('/api/search?q=x&k=0'), 'get', '/api/search', 400);
    await expectDocumented(await app.request('/api/search'), 'get', '/api/search', 400);
  });

  it('GET /api/documents and /api/documents/{id}: 200, 404', async () => {
    await expectDocumented(await app.request('/api/documents'), 'get', '/api/documents', 200);
    const one = (await expectDocumented(await app.request(`/api/documents/${DOC_ID}`), 'get', '/api/documents/{id}', 200)) as { text: string };
    expect(one.text.length).toBeGreaterThan(0);
    await expectDocumented(await app.request('/api/documents/nope'), 'get', '/api/documents/{id}', 404);
  });

  it('GET /api/documents/{id} with an id over 200 characters: its 400 is declared too', async () => {
    await expectDocumented(await app.request(`/api/documents/${'x'.repeat(201)}`), 'get', '/api/documents/{id}', 400);
  });

  it('POST /api/feedback: 201, 400, 415', async () => {
    const answer = (await (await app.request('/api/ask', postJson({ question: QUESTION }))).json()) as { id: string };
    await expectDocumented(await app.request('/api/feedback', postJson({ answerId: answer.id, rating: 'up', comment: '准确' })), 'post', '/api/feedback', 201);
    await expectDocumented(await app.request('/api/feedback', postJson({ question: QUESTION, rating: 'down' })), 'post', '/api/feedback', 201);
    await expectDocumented(await app.request('/api/feedback', postJson({ rating: 'up' })), 'post', '/api/feedback', 400);
    await expectDocumented(
      await app.request('/api/feedback', rawPost('rating=up', { 'Content-Type': 'application/x-www-form-urlencoded' })),
      'post',
      '/api/feedback',
      415,
    );
  });

  it('GET /v1/models: 200; POST /v1/chat/completions: 200 (the ChatCompletion schema), 400, 415', async () => {
    await expectDocumented(await app.request('/v1/models'), 'get', '/v1/models', 200);
    const completion = await expectDocumented(
      await app.request('/v1/chat/completions', postJson({ model: 'yiju', messages: [{ role: 'user', content: QUESTION }] })),
      'post',
      '/v1/chat/completions',
      200,
    );
    expect(responseSchema('post', '/v1/chat/completions', 200)).toEqual({ $ref: '#/components/schemas/ChatCompletion' });
    expectValid(doc.components.schemas.ChatCompletion!, completion, 'the chat completion');
    await expectDocumented(
      await app.request('/v1/chat/completions', postJson({ model: 'yiju', messages: [{ role: 'user', content: OUT_OF_SCOPE }] })),
      'post',
      '/v1/chat/completions',
      200,
    );
    await expectDocumented(await app.request('/v1/chat/completions', postJson({ model: 'yiju', messages: [] })), 'post', '/v1/chat/completions', 400);
    await expectDocumented(await app.request('/v1/chat/completions', rawPost('hi', { 'Content-Type': 'text/plain' })), 'post', '/v1/chat/completions', 415);
  });

  it('GET /api/health: 200', async () => {
    await expectDocumented(await app.request('/api/health'), 'get', '/api/health', 200);
  });

  it('413 from every endpoint with a body', async () => {
    const small = makeApp(rt, { maxBodyBytes: 1024 }).app;
    const big = '问'.repeat(600);
    await expectDocumented(await small.request('/api/ask', postJson({ question: big })), 'post', '/api/ask', 413);
    await expectDocumented(await small.request('/api/chat', postJson({ question: big })), 'post', '/api/chat', 413);
    await expectDocumented(await small.request('/api/feedback', postJson({ question: big, rating: 'up' })), 'post', '/api/feedback', 413);
    await expectDocumented(
      await small.request('/v1/chat/completions', postJson({ model: 'yiju', messages: [{ role: 'user', content: big }] })),
      'post',
      '/v1/chat/completions',
      413,
    );
  });

  const everyGuarded = (): [string, string, RequestInit | undefined][] => [
    ['post', '/api/ask', postJson({ question: QUESTION })],
    ['post', '/api/chat', postJson({ question: QUESTION })],
    ['get', '/api/search', undefined],
    ['get', '/api/documents', undefined],
    ['get', '/api/documents/{id}', undefined],
    ['post', '/api/feedback', postJson({ question: QUESTION, rating: 'up' })],
    ['get', '/v1/models', undefined],
    ['post', '/v1/chat/completions', postJson({ model: 'yiju', messages: [{ role: 'user', content: QUESTION }] })],
  ];
  const url = (path: string) => (path === '/api/search' ? `/api/search?q=${encodeURIComponent(QUESTION)}` : path.replace('{id}', DOC_ID));
  const appWith = (options: Partial<HttpOptions>) => makeApp(rt, options).app;

  it('401 from every endpoint that needs a key', async () => {
    const keyed = appWith({ apiKeys: ['k1'] });
    for (const [method, path, init] of everyGuarded()) await expectDocumented(await keyed.request(url(path), init), method, path, 401);
  });

  it('429 from every rate-limited endpoint', async () => {
    for (const [method, path, init] of everyGuarded()) {
      const limited = appWith({ rateLimit: 1 });
      const first = await limited.request(url(path), init);
      expect(first.status).toBeLessThan(300);
      await first.text();
      await expectDocumented(await limited.request(url(path), init), method, path, 429);
    }
  });
});

describe('request bodies match the declared request schemas', () => {
  it('bodies the server accepts are valid under the document', async () => {
    const answer = (await (await app.request('/api/ask', postJson({ question: QUESTION }))).json()) as { id: string };
    const accepted: [string, string, unknown][] = [
      ['post', '/api/ask', { question: QUESTION }],
      [
        'post',
        '/api/ask',
        {
          question: '那乡镇呢？',
          history: [
            { role: 'user', content: '县里多久排查一次？' },
            { role: 'assistant', content: '每周。' },
          ],
          topK: 3,
        },
      ],
      ['post', '/api/chat', { question: QUESTION, topK: 1 }],
      ['post', '/api/feedback', { question: QUESTION, rating: 'down', comment: '不准确' }],
      ['post', '/api/feedback', { answerId: answer.id, rating: 'up' }],
      [
        'post',
        '/v1/chat/completions',
        {
          model: 'gpt-4o',
          stream: false,
          temperature: 0.2,
          messages: [
            { role: 'system', content: 'x' },
            { role: 'user', content: [{ type: 'text', text: QUESTION }] },
          ],
        },
      ],
    ];
    for (const [method, path, body] of accepted) {
      const res = await app.request(path, postJson(body));
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBeLessThan(300);
      await res.text();
      expectValid(requestSchema(method, path), body, `the accepted ${path} body ${JSON.stringify(body)}`);
    }
  });

  it('bodies the server rejects for their fields are invalid under the document', async () => {
    const rejected: [string, string, unknown][] = [
      ['post', '/api/ask', { question: 123 }],
      ['post', '/api/ask', { question: QUESTION, topK: 0 }],
      ['post', '/api/ask', { question: QUESTION, topK: 2.5 }],
      ['post', '/api/ask', { question: QUESTION, history: [{ role: 'system', content: 'x' }] }],
      ['post', '/api/ask', { question: QUESTION, history: 'x' }],
      ['post', '/api/feedback', { question: QUESTION, rating: 'meh' }],
      ['post', '/v1/chat/completions', { model: 'yiju', messages: [] }],
      ['post', '/v1/chat/completions', { messages: [{ role: 'user', content: QUESTION }] }],
    ];
    for (const [method, path, body] of rejected) {
      const res = await app.request(path, postJson(body));
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expectInvalid(requestSchema(method, path), body, `the rejected ${path} body ${JSON.stringify(body)}`);
    }
  });
});

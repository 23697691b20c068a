/**
 * The request log: one structured record per request, written when the response
 * (or its stream) has ended, with no question text unless logQuestions is on.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/node/runtime.js';
import { buildRuntime, makeApp, postJson, readSSE, stringsIn } from '../helpers/http.js';

const Q = '初信初访应该怎么处理？';
const Q2 = '乡镇多久排查一次矛盾纠纷？';
const Q_OUT = '今天北京天气怎么样？';
const SEARCH_Q = '越级访怎么处理';
const FEEDBACK_Q = '联席会议多久开一次？';
/** Question texts that must never reach the log by default (nor any long piece of them). */
const QUESTIONS = [Q, Q2, Q_OUT, SEARCH_Q, FEEDBACK_Q];

let rt: Runtime;

beforeAll(async () => {
  rt = await buildRuntime();
}, 180_000);

type App = ReturnType<typeof makeApp>;

/** Sends one request, reads the whole body, and returns the response with the records it added. */
async function logged({ app, logger }: App, path: string, init?: RequestInit) {
  const before = logger.records.length;
  const res = await app.request(path, init);
  const body = await res.text();
  await expect.poll(() => logger.records.length).toBeGreaterThan(before);
  return { res, body, records: logger.records.slice(before) };
}

function expectRequestRecord(record: Record<string, unknown>, res: Response, method: string, path: string, client = 'ip:unknown') {
  expect(record).toMatchObject({ level: 'info', msg: 'request', method, path, status: res.status, client });
  expect(record.requestId).toBe(res.headers.get('x-request-id'));
  expect(typeof record.ms).toBe('number');
  expect(record.ms as number).toBeGreaterThanOrEqual(0);
}

describe('one record per request', () => {
  it('every request — answers, streams, searches, errors — writes exactly one "request" record with its fields', async () => {
    const target = makeApp(rt);
    const cases: [string, RequestInit | undefined, number][] = [
      ['/api/ask', postJson({ question: Q }), 200],
      ['/api/ask', postJson({ question: Q_OUT }), 200],
      ['/api/chat', postJson({ question: Q2 }), 200],
      [`/api/search?q=${encodeURIComponent(SEARCH_Q)}&k=3`, undefined, 200],
      ['/api/documents', undefined, 200],
      ['/api/documents/001_0ef072b5e6e0e6d4', undefined, 200],
      ['/api/documents/nope', undefined, 404],
      ['/api/feedback', postJson({ question: FEEDBACK_Q, rating: 'up' }), 201],
      ['/v1/models', undefined, 200],
      ['/v1/chat/completions', postJson({ model: 'yiju', messages: [{ role: 'user', content: Q2 }] }), 200],
      ['/v1/chat/completions', postJson({ model: 'yiju', stream: true, messages: [{ role: 'user', content: Q }] }), 200],
      ['/api/ask', postJson({ question: '' }), 400],
      ['/api/ask', postJson('{"question":'), 400],
      ['/nope', undefined, 404],
      ['/api/ask', undefined, 405],
      ['/api/health', undefined, 200],
      ['/api/openapi.json', undefined, 200],
    ];
    for (const [path, init, status] of cases) {
      const { res, records } = await logged(target, path, init);
      expect(res.status, path).toBe(status);
      expect(records, `${init?.method ?? 'GET'} ${path}`).toHaveLength(1);
      expectRequestRecord(records[0]!, res, init?.method ?? 'GET', path.split('?')[0]!);
    }
    expect(target.logger.records).toHaveLength(cases.length);
  });

  it('answer records carry the mode and grounded, but no question text anywhere by default', async () => {
    const target = makeApp(rt);
    const { records } = await logged(target, '/api/ask', postJson({ question: Q }));
    expect(records[0]).toMatchObject({ mode: 'extractive', grounded: true });
    const out = await logged(target, '/api/ask', postJson({ question: Q_OUT }));
    expect(out.records[0]).toMatchObject({ mode: 'extractive', grounded: false });
    await logged(target, '/api/chat', postJson({ question: Q2 }));
    await logged(target, `/api/search?q=${encodeURIComponent(SEARCH_Q)}`);
    await logged(target, '/api/feedback', postJson({ question: FEEDBACK_Q, rating: 'down', comment: '不对' }));
    await logged(target, '/v1/chat/completions', postJson({ model: 'yiju', messages: [{ role: 'user', content: Q2 }] }));
    await logged(target, '/api/ask', postJson({ question: `${Q}\u0007` }));
    const strings = stringsIn(target.logger.records);
    for (const q of QUESTIONS) {
      const core = q.replace(/[？?]$/u, '');
      for (const s of strings) expect(s, `a log record holds the question "${q}"`).not.toContain(core);
    }
    for (const r of target.logger.records) expect(r).not.toHaveProperty('question');
  });

  it('with logQuestions: true the question is in the record of each answer and search', async () => {
    const target = makeApp(rt, { logQuestions: true });
    expect((await logged(target, '/api/ask', postJson({ question: `  ${Q}  ` }))).records[0]).toMatchObject({ msg: 'request', question: Q });
    expect((await logged(target, '/api/chat', postJson({ question: Q2 }))).records[0]).toMatchObject({ msg: 'request', question: Q2, stream: true });
    expect((await logged(target, `/api/search?q=${encodeURIComponent(SEARCH_Q)}`)).records[0]).toMatchObject({ msg: 'request', question: SEARCH_Q });
    const v1 = await logged(target, '/v1/chat/completions', postJson({ model: 'yiju', messages: [{ role: 'user', content: Q_OUT }] }));
    expect(v1.records[0]).toMatchObject({ msg: 'request', question: Q_OUT, grounded: false });
  });

  it("the client is the API key's number (never the key itself) and the address", async () => {
    const keys = ['sk-yiju-secret-one', 'sk-yiju-secret-two'];
    const target = makeApp(rt, { apiKeys: keys });
    const one = await logged(target, '/v1/models', { headers: { Authorization: `Bearer ${keys[0]}` } });
    expectRequestRecord(one.records[0]!, one.res, 'GET', '/v1/models', 'key#1 ip:unknown');
    const two = await logged(target, '/api/documents', { headers: { Authorization: `Bearer ${keys[1]}` } });
    expectRequestRecord(two.records[0]!, two.res, 'GET', '/api/documents', 'key#2 ip:unknown');
    const wrong = await logged(target, '/api/documents', { headers: { Authorization: 'Bearer sk-yiju-secret-three' } });
    expect(wrong.res.status).toBe(401);
    expectRequestRecord(wrong.records[0]!, wrong.res, 'GET', '/api/documents', 'ip:unknown');
    const limited = makeApp(rt, { apiKeys: keys, rateLimit: 1 });
    await logged(limited, '/v1/models', { headers: { Authorization: `Bearer ${keys[0]}` } });
    const refused = await logged(limited, '/v1/models', { headers: { Authorization: `Bearer ${keys[0]}` } });
    expectRequestRecord(refused.records[0]!, refused.res, 'GET', '/v1/models', 'key#1 ip:unknown');
    expect(refused.res.status).toBe(429);
    const all = [...stringsIn(target.logger.records), ...stringsIn(limited.logger.records)].join('\n');
    for (const key of [...keys, 'sk-yiju-secret-three']) expect(all).not.toContain(key);
  });
});

describe('streams are logged when they end', () => {
  it('/api/chat: no record while the stream is open; one record (stream: true) after the done event', async () => {
    const { app, logger } = makeApp(rt);
    const res = await app.request('/api/chat', postJson({ question: Q }));
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');
    const mine = () => logger.records.filter((r) => r.requestId === requestId);
    expect(mine()).toEqual([]);
    const events: string[] = [];
    for await (const e of readSSE(res)) {
      events.push(e.event ?? '');
      if (e.event === 'citations') expect(mine(), 'the record was written before the stream ended').toEqual([]);
    }
    expect(events[0]).toBe('citations');
    expect(events.at(-1)).toBe('done');
    await expect.poll(() => mine().length).toBe(1);
    expect(mine()[0]).toMatchObject({
      level: 'info',
      msg: 'request',
      method: 'POST',
      path: '/api/chat',
      status: 200,
      stream: true,
      mode: 'extractive',
      grounded: true,
      client: 'ip:unknown',
    });
    expect(logger.records).toHaveLength(1);
  });

  it('/v1/chat/completions streamed: the same, one record after [DONE]', async () => {
    const { app, logger } = makeApp(rt);
    const res = await app.request('/v1/chat/completions', postJson({ model: 'yiju', stream: true, messages: [{ role: 'user', content: Q2 }] }));
    const requestId = res.headers.get('x-request-id');
    const mine = () => logger.records.filter((r) => r.requestId === requestId);
    let first = true;
    let last = '';
    for await (const e of readSSE(res)) {
      if (first) expect(mine()).toEqual([]);
      first = false;
      last = e.data;
    }
    expect(last).toBe('[DONE]');
    await expect.poll(() => mine().length).toBe(1);
    expect(mine()[0]).toMatchObject({ msg: 'request', path: '/v1/chat/completions', status: 200, stream: true, mode: 'extractive', grounded: true });
    expect(logger.records).toHaveLength(1);
  });
});

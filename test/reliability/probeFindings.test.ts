/**
 * The smaller defects an outside probe found (issue 14.6), each reproduced: one text validation for /api/ask and
 * /v1 history, invisible-only questions, C1 controls and bidi overrides, a long query over POST /api/search, /demo
 * and the Host header, client-chosen request ids, slow-header clients and a per-address connection cap.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/node/runtime.js';
import { buildRuntime, expectError, makeApp, postJson } from '../helpers/http.js';
import { startReliabilityServer, type Started } from './httpFuzz.js';

let rt: Runtime;
let app: ReturnType<typeof makeApp>['app'];
beforeAll(async () => {
  rt = await buildRuntime();
  app = makeApp(rt).app;
}, 180_000);

const v1 = (messages: { role: string; content: string }[]) => app.request('/v1/chat/completions', postJson({ model: 'yiju', messages }));

describe('one validation of typed text', () => {
  const bad: [string, string, RegExp][] = [
    ['a lone surrogate', 'ab\uD800cd', /lone UTF-16 surrogate/u],
    ['a control character', 'ab\u0007cd', /control characters/u],
    ['a C1 control', 'ab\u0085cd', /control characters/u],
    ['a bidi override', 'ab\u202Ecd', /bidirectional override/u],
  ];

  it.each(bad)('%s in /v1 history is rejected as /api/ask rejects it in history', async (_what, content, message) => {
    await expectError(
      await v1([
        { role: 'user', content },
        { role: 'assistant', content: '好' },
        { role: 'user', content: '初信初访怎么处理？' },
      ]),
      400,
      'invalid_request',
      message,
    );
    const ask = await app.request('/api/ask', postJson({ question: '初信初访怎么处理？', history: [{ role: 'user', content }] }));
    await expectError(ask, 400, 'invalid_request', message);
  });

  it.each(bad)('%s in a feedback comment is rejected', async (_what, comment, message) => {
    await expectError(
      await app.request('/api/feedback', postJson({ rating: 'down', question: '初信初访怎么处理？', comment })),
      400,
      'invalid_request',
      message,
    );
  });

  it('a question of only invisible characters (zero-width, BOM, filler, ideographic space) is empty, on every route', async () => {
    const invisible = '\u200B\u200C\u200D\uFEFF\u3164\u3000\u2060';
    await expectError(await app.request('/api/ask', postJson({ question: invisible })), 400, 'invalid_request', /no visible characters/u);
    await expectError(await v1([{ role: 'user', content: invisible }]), 400, 'invalid_request', /no visible characters/u);
    await expectError(await app.request(`/api/search?q=${encodeURIComponent(invisible)}`), 400, 'invalid_request', /no visible characters/u);
    // A question with them among visible characters is still a question.
    expect((await app.request('/api/ask', postJson({ question: '初信\u200B初访怎么处理？' }))).status).toBe(200);
  });
});

describe('POST /api/search takes a query as long as a question may be', () => {
  it('1,900 Chinese characters (17 KB percent-encoded, beyond a URL) → 200 with passages; over the limit → 400', async () => {
    const long = '初信初访应该怎么处理'.repeat(190);
    const res = await app.request('/api/search', postJson({ q: long, k: 3 }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: unknown[] };
    expect(body.results.length).toBe(3);
    await expectError(await app.request('/api/search', postJson({ q: '问'.repeat(2001) })), 400, 'invalid_request', /longer than 2000/u);
    await expectError(await app.request('/api/search', postJson({ q: '初信初访', filter: { docIds: ['nope'] } })), 400, 'invalid_request', /unknown document/u);
  });
});

describe('headers the client chooses', () => {
  it('/demo never copies the Host header into the page or its content security policy', async () => {
    const res = await app.request('http://evil.example:1234/demo', { headers: { Host: 'evil.example:1234' } });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).not.toContain('evil.example');
    expect(res.headers.get('content-security-policy')).not.toContain('evil.example');
    expect(page).toContain('<script src="/widget.js"');
  });

  it('X-Request-Id: a short plain one is kept; a long one, or one with other characters, is replaced by a UUID', async () => {
    const id = (sent: string) => Promise.resolve(app.request('/api/health', { headers: { 'X-Request-Id': sent } })).then((r) => r.headers.get('x-request-id')!);
    expect(await id('req-123_abc')).toBe('req-123_abc');
    for (const sent of ['a'.repeat(65), 'has spaces in it', 'new\\nline', '<script>']) {
      const got = await id(sent);
      expect(got, sent).not.toBe(sent);
      expect(got).toMatch(/^[0-9a-f-]{36}$/u);
    }
  });
});

describe('slow and numerous connections (a real server)', () => {
  let s: Started;
  beforeAll(async () => {
    s = await startReliabilityServer('yiju-probe-', { YIJU_HEADERS_TIMEOUT_MS: '1000', YIJU_MAX_CONNECTIONS_PER_ADDRESS: '3', YIJU_RATE_LIMIT: '0' });
  }, 180_000);
  afterAll(async () => s?.close());

  const open = (localAddress = '127.0.0.1') =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: s.port, localAddress }, () => resolve(socket));
      socket.once('error', reject);
    });
  const closedWithin = (socket: Socket, ms: number) =>
    new Promise<string>((resolve) => {
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString()));
      const timer = setTimeout(() => resolve('still open'), ms);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(`closed: ${got.split('\r\n')[0] ?? ''}`);
      });
    });

  it('a client that sends its headers too slowly is answered 408 and closed after YIJU_HEADERS_TIMEOUT_MS', async () => {
    const socket = await open();
    socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const outcome = await closedWithin(socket, 8000);
    expect(outcome).toMatch(/^closed: (HTTP\/1\.1 408|)/u);
    expect(outcome).not.toBe('still open');
  }, 20_000);

  it('an address holding YIJU_MAX_CONNECTIONS_PER_ADDRESS connections gets no more; another address does', async () => {
    const held = [await open(), await open(), await open()];
    const fourth = await open();
    expect(await closedWithin(fourth, 3000)).toBe('closed: ');
    const other = await open('127.0.0.2');
    other.write('GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await closedWithin(other, 5000)).toMatch(/^closed: HTTP\/1\.1 200/u);
    for (const h of held) h.destroy();
    // Closed connections free the slots.
    await new Promise((r) => setTimeout(r, 200));
    const again = await open();
    again.write('GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await closedWithin(again, 5000)).toMatch(/^closed: HTTP\/1\.1 200/u);
  }, 30_000);
});

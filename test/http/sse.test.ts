/**
 * The chat's stream keeps a slow answer's connection audibly alive: SSE comments while nothing else is sent, which
 * SSE parsers ignore, so a client that gives up on a silent server does not give up on this one.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/http/env.js';
import { abortableSSE } from '../../src/http/sse.js';
import { memoryLogger, parseSSE } from '../helpers/http.js';

function app(heartbeatMs?: number) {
  const logger = memoryLogger();
  return new Hono<AppEnv>()
    .use(async (c, next) => {
      c.set('logFields', {});
      c.set('requestId', 'req_test');
      await next();
    })
    .get('/slow', (c) =>
      abortableSSE(
        c,
        async (sse) => {
          await new Promise((r) => setTimeout(r, 120));
          await sse.writeSSE({ event: 'done', data: '{"ok":true}' });
        },
        async () => {},
        logger,
        heartbeatMs ? { heartbeatMs } : {},
      ),
    );
}

describe('abortableSSE heartbeat', () => {
  it('sends comments while the answer is worked on; parsers see only the events', async () => {
    const text = await (await app(20).request('/slow')).text();
    expect(text.match(/^: alive$/gmu)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(parseSSE(text).map((e) => e.event)).toEqual(['done']);
  });

  it('sends none without heartbeatMs (the OpenAI-compatible stream)', async () => {
    const text = await (await app().request('/slow')).text();
    expect(text).not.toContain(': alive');
    expect(parseSSE(text).map((e) => e.event)).toEqual(['done']);
  });
});

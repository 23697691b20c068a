/**
 * Searching one speech: `filter: { docIds }` on /api/ask and /api/chat, `docIds` on /api/search. A client that
 * knows which speech it means gets passages and citations from that speech only; an unknown id is a 400.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { YijuApp } from '../../src/http/app.js';
import type { Runtime } from '../../src/node/runtime.js';
import { buildRuntime, expectError, makeApp, parseSSE, postJson } from '../helpers/http.js';

const QUESTION = '初信初访应该怎么处理？';
let rt: Runtime;
let app: YijuApp;
let ids: string[];

beforeAll(async () => {
  rt = await buildRuntime();
  app = makeApp(rt).app;
  ids = [...rt.opened.index.documents.keys()];
}, 180_000);

type Answer = { grounded: boolean; citations: { docId: string }[] };

describe('filter: { docIds }', () => {
  it('/api/ask: every citation comes from the named speech, for each speech that answers', async () => {
    const cited = new Set<string>();
    for (const id of ids) {
      const res = await app.request('/api/ask', postJson({ question: QUESTION, filter: { docIds: [id] } }));
      expect(res.status).toBe(200);
      const r = (await res.json()) as Answer;
      for (const c of r.citations) expect(c.docId).toBe(id);
      if (r.grounded) cited.add(id);
    }
    // Without a filter the best passages come from some speeches; with one, other speeches answer too.
    expect(cited.size).toBeGreaterThan(1);
  });

  it('/api/search?docIds=a,b: results only from those speeches', async () => {
    const two = ids.slice(0, 2);
    const res = await app.request(`/api/search?k=10&q=${encodeURIComponent(QUESTION)}&docIds=${two.join(',')}`);
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { docId: string }[] };
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(two).toContain(r.docId);
  });

  it('/api/chat: the streamed citations and the final answer keep to the filter', async () => {
    const res = await app.request('/api/chat', postJson({ question: QUESTION, filter: { docIds: [ids[1]!] } }));
    expect(res.status).toBe(200);
    const done = parseSSE(await res.text()).find((e) => e.event === 'done');
    const r = JSON.parse(done!.data) as Answer;
    for (const c of r.citations) expect(c.docId).toBe(ids[1]);
  });

  it('an unknown id, an empty list or a wrong type is a 400 naming the field', async () => {
    await expectError(
      await app.request('/api/ask', postJson({ question: QUESTION, filter: { docIds: ['nope'] } })),
      400,
      'invalid_request',
      /^filter\.docIds: unknown document "nope"/u,
    );
    await expectError(
      await app.request('/api/ask', postJson({ question: QUESTION, filter: { docIds: [] } })),
      400,
      'invalid_request',
      /filter\.docIds is empty/u,
    );
    await expectError(await app.request('/api/chat', postJson({ question: QUESTION, filter: { docIds: 'x' } })), 400, 'invalid_request');
    await expectError(
      await app.request(`/api/search?q=${encodeURIComponent(QUESTION)}&docIds=nope`),
      400,
      'invalid_request',
      /^docIds: unknown document "nope"/u,
    );
  });

  it('without a filter nothing changes', async () => {
    const a = (await (await app.request('/api/ask', postJson({ question: QUESTION }))).json()) as Answer & { answer: string };
    const b = (await (await app.request('/api/ask', postJson({ question: QUESTION, filter: { docIds: ids } }))).json()) as Answer & { answer: string };
    expect(b.answer).toBe(a.answer);
  });
});

/**
 * /api/suggestions, what an empty chat shows: the domain pack's own example questions (each answered from the
 * speeches, not a near miss), the chat's words, the answer mode and the documents it answers from.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { YijuApp } from '../../src/http/app.js';
import { domainFromYaml } from '../../src/core/domain/pack.js';
import { exampleQuestions } from '../../src/core/suggest/exampleQuestions.js';
import type { Runtime } from '../../src/node/runtime.js';
import { buildRuntime, makeApp, postJson } from '../helpers/http.js';

interface Suggestions {
  questions: string[];
  corpus: { mode: string; documents: { id: string; title: string; cite: string }[]; total: number };
}

let rt: Runtime;
let app: YijuApp;

beforeAll(async () => {
  rt = await buildRuntime();
  app = makeApp(rt).app;
}, 180_000);

describe('/api/suggestions', () => {
  it("gives the pack's examples, and each is answered in full with citations", async () => {
    const body = (await (await app.request('/api/suggestions')).json()) as Suggestions;
    expect(rt.domain.examples.length).toBeGreaterThan(0);
    expect(body.questions).toEqual(rt.domain.examples);
    for (const question of body.questions) {
      const r = (await (await app.request('/api/ask', postJson({ question }))).json()) as { answerable: string; citations: unknown[] };
      expect(r.answerable, question).toBe('yes');
      expect(r.citations.length, question).toBeGreaterThan(0);
    }
  });

  it('says the answer mode and the documents, each with the reference answers cite', async () => {
    const body = (await (await app.request('/api/suggestions')).json()) as Suggestions;
    expect(body.corpus.mode).toBe('extractive');
    expect(body.corpus.total).toBe(rt.opened.index.documents.size);
    expect(body.corpus.documents.map((d) => d.id)).toEqual([...rt.opened.index.documents.keys()]);
    for (const d of body.corpus.documents) {
      expect(d.title).toBe(rt.opened.index.documents.get(d.id)!.title);
      expect(d.cite).toBe(`据《${d.title}》（${d.cite.match(/（([^）]+)）$/u)![1]}）`);
    }
  });

  it('a pack without examples gets them from its template and terms', () => {
    const domain = domainFromYaml('terms: [矛盾纠纷, 信访秩序]\nexampleTemplate: 关于“{term}”有什么要求？');
    expect(domain.examples).toEqual([]);
    const docs = [...rt.opened.index.documents.values()];
    expect(exampleQuestions(docs, domain.terms, domain.exampleTemplate)).toEqual(['关于“矛盾纠纷”有什么要求？', '关于“信访秩序”有什么要求？']);
  });
});

/**
 * Domain knowledge is data: a corpus on another subject (household waste sorting, three short speeches
 * written for this test, test/fixtures/waste-sorting) with its own small domain pack is indexed and
 * answered, its refusals describe its own topics, and no petition-work wording appears anywhere. Without
 * a pack the same corpus still works, in neutral words, listing its documents' titles.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN_PACK_FILE } from '../../src/core/domain/pack.js';
import type { AnswerResult } from '../../src/core/answer/types.js';
import { createApp } from '../../src/http/app.js';
import { loadConfig } from '../../src/node/config.js';
import { createRuntime, type Runtime } from '../../src/node/runtime.js';
import { appDepsFor } from '../../src/node/server.js';
import { REPO_ROOT, makeTempDir } from '../helpers/corpus.js';
import { memoryLogger } from '../helpers/http.js';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/waste-sorting');
/** Words of the shipped corpus' subject that must never reach a user of another corpus. */
const PETITION = /信访|上访|初信初访|矛盾纠纷|petition/iu;

async function runtimeFor(withPack: boolean): Promise<{ rt: Runtime; cleanup: () => void }> {
  const tmp = makeTempDir('yiju-other-domain-');
  const corpus = join(tmp.dir, 'corpus');
  cpSync(FIXTURE, corpus, { recursive: true });
  if (!withPack) rmSync(join(corpus, DOMAIN_PACK_FILE));
  const config = loadConfig({
    ...process.env,
    YIJU_CORPUS_DIR: corpus,
    YIJU_DATA_DIR: join(tmp.dir, 'data'),
    YIJU_EMBEDDER: 'local',
    OPENAI_API_KEY: '',
    YIJU_CHAT_MODEL: '',
    YIJU_RATE_LIMIT: '0',
  });
  return { rt: await createRuntime(config), cleanup: tmp.cleanup };
}

const appOf = (rt: Runtime) => createApp({ ...appDepsFor(rt, memoryLogger()), assets: { get: () => 'void 0;' } });
const ask = async (rt: Runtime, question: string) =>
  (await (
    await appOf(rt).request('/api/ask', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question }) })
  ).json()) as AnswerResult;

describe('a corpus on another subject, with its own domain pack', () => {
  let rt: Runtime;
  let cleanup: () => void;
  beforeAll(async () => ({ rt, cleanup } = await runtimeFor(true)));
  afterAll(() => cleanup?.());

  it('is indexed and answered from its own speeches, with exact citations', async () => {
    const r = await ask(rt, '废电池应该怎么投放？');
    expect(r.grounded).toBe(true);
    expect(r.citations[0]!.text).toContain('有害垃圾');
    for (const c of r.citations) expect(rt.opened.index.documents.get(c.docId)!.text.slice(c.start, c.end)).toBe(c.text);
    expect(r.answer).not.toMatch(PETITION);
  });

  it('uses its own synonyms (剩菜 → 厨余垃圾) and its own English glossary', async () => {
    expect((await rt.retriever.retrieve('剩菜怎么处理', 3)).query).toContain('厨余垃圾');
    const en = await ask(rt, 'How often is kitchen waste collected?');
    expect(en.grounded).toBe(true);
    expect(en.citations.some((c) => c.text.includes('日产日清') || c.text.includes('每天至少清运一次'))).toBe(true);
  });

  it('refuses an off-topic question by describing its own topics and documents, in no petition words', async () => {
    for (const question of ['火星上有多少座火山？', 'What is the capital of Peru?']) {
      const r = await ask(rt, question);
      expect(r.grounded, question).toBe(false);
      expect(r.citations).toEqual([]);
      expect(r.answer).toMatch(/垃圾分类|waste sorting/u);
      for (const d of rt.opened.index.documents.values()) expect(r.answer).toContain(d.title);
      expect(r.answer).not.toMatch(PETITION);
    }
  });

  it('rewrites a follow-up with its own levels (街道 → 小区)', async () => {
    const r = await rt.answerer.answer('那小区呢？', {
      history: [
        { role: 'user', content: '街道多久公布一次分类成绩？' },
        { role: 'assistant', content: '每月一次。' },
      ],
    });
    expect(r.standaloneQuestion).toBe('小区多久公布一次分类成绩？');
  });

  it('speaks its own words on the chat page, the examples, the demo page and the API description', async () => {
    const app = appOf(rt);
    const page = await (await app.request('/')).text();
    expect(page).toContain('依据 · 垃圾分类问答');
    const suggestions = (await (await app.request('/api/suggestions')).json()) as {
      questions: string[];
      ui: Record<'zh' | 'en', { title: string; greeting: string }>;
    };
    expect(suggestions.questions.length).toBeGreaterThan(0);
    for (const q of suggestions.questions)
      expect(q).toMatch(/^讲话对“(垃圾分类|可回收物|有害垃圾|厨余垃圾|其他垃圾|定时定点|先分后混|日产日清|红黑榜|督导员)”有哪些要求？$/u);
    expect(suggestions.ui.zh).toMatchObject({ title: '依据 · 垃圾分类问答', greeting: '您好！我根据讲话原文回答垃圾分类问题。' });
    expect(suggestions.ui.en.title).toBe('Yiju · waste-sorting Q&A');
    const openapi = (await (await app.request('/api/openapi.json')).json()) as { info: { description: string } };
    expect(openapi.info.description).toBe('Grounded answers about household waste sorting from the speeches.');
    for (const body of [page, JSON.stringify(suggestions), JSON.stringify(openapi), await (await app.request('/demo')).text()])
      expect(body).not.toMatch(PETITION);
  });
});

describe('the same corpus with no domain pack', () => {
  let rt: Runtime;
  let cleanup: () => void;
  beforeAll(async () => ({ rt, cleanup } = await runtimeFor(false)));
  afterAll(() => cleanup?.());

  it('still answers, in neutral words', async () => {
    const r = await ask(rt, '有害垃圾包括哪些？');
    expect(r.grounded).toBe(true);
    expect(r.answer.startsWith(`${r.citations[0]!.text}[1]`)).toBe(true);
    if (r.citations.length > 1) expect(r.answer).toContain('\n根据原文：\n');
    expect(r.answer).not.toMatch(PETITION);
  });

  it('refuses in neutral words and lists the documents by title', async () => {
    const r = await ask(rt, '火星上有多少座火山？');
    expect(r.grounded).toBe(false);
    expect(r.answer).toMatch(/^现有资料中没有找到相关内容/u);
    expect(r.answer).toContain('现有文档：');
    for (const d of rt.opened.index.documents.values()) expect(r.answer).toContain(`- ${d.title}`);
    expect(r.answer).not.toMatch(PETITION);
    // The documents happen to be speeches; only their titles may say so.
    expect(
      r.answer
        .split('\n')
        .filter((l) => !l.startsWith('- '))
        .join('\n'),
    ).not.toContain('讲话');
  });

  it('offers neutral page words', async () => {
    const suggestions = (await (await appOf(rt).request('/api/suggestions')).json()) as { questions: string[]; ui: Record<'zh' | 'en', { title: string }> };
    expect(suggestions.questions).toEqual([]);
    expect(suggestions.ui.zh.title).toBe('依据 · 问答');
    expect(suggestions.ui.en.title).toBe('Yiju · Q&A');
  });
});

/**
 * Answerability in the contract: every answer says whether the documents answer the question ("yes",
 * "partial", "no") and why not; task requests are declined before retrieval is trusted or a model is
 * called, by the domain pack's task patterns.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, ChatModel } from '../../../src/core/ports.js';
import { createAssistant } from '../../../src/core/assistant.js';
import { NEUTRAL_DOMAIN } from '../../../src/core/domain/pack.js';
import type { Runtime } from '../../../src/node/runtime.js';
import { expectContract } from '../../helpers/answers.js';
import { corpusDomain } from '../../helpers/domain.js';
import { buildRuntime } from '../../helpers/http.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await buildRuntime();
}, 180_000);

/** A chat model that records every call and must never be reached here. */
function untouchableModel(): ChatModel & { calls: ChatMessage[][] } {
  const calls: ChatMessage[][] = [];
  return {
    id: 'test:untouchable',
    calls,
    async complete(messages) {
      calls.push(messages);
      return '不应调用。';
    },
    async *stream(messages) {
      calls.push(messages);
      yield '不应调用。';
    },
  };
}

describe('the answerability contract', () => {
  it('an answered question is "yes" with no reason', async () => {
    const r = await rt.answerer.answer('乡镇多久排查一次矛盾纠纷？');
    expect(r).toMatchObject({ answerable: 'yes', grounded: true });
    expect(r.reason).toBeUndefined();
    expectContract(r, rt.opened.index.documents);
  });

  it('a question off the subject is "no" / off_topic; one on the subject the speeches do not answer is "no" / not_in_corpus', async () => {
    for (const q of ['红烧肉怎么做？', '火星上有多少座火山？']) {
      const r = await rt.answerer.answer(q);
      expect(r, q).toMatchObject({ answerable: 'no', reason: 'off_topic', grounded: false, citations: [] });
    }
    const r = await rt.answerer.answer('网上信访平台的账号怎么注册？');
    expect(r).toMatchObject({ answerable: 'no', reason: 'not_in_corpus', grounded: false });
  });

  it('a question about a term of the field that no speech uses is "no" / not_in_corpus, saying which term', async () => {
    // 听证 and 复核 are in the pack's field vocabulary; no speech uses them, while 主持 and 核实 are in the speeches.
    for (const [q, term] of [
      ['信访听证会一般由谁主持，群众怎么申请？', '信访听证'],
      ['对复查意见不服，申请复核要找哪一级机关？', '复核'],
    ] as const) {
      const r = await rt.answerer.answer(q);
      expect(r, q).toMatchObject({ answerable: 'no', reason: 'not_in_corpus', grounded: false, citations: [] });
      expect(r.answer, q).toContain(`讲话中没有提到“${term}”`);
    }
    // An alias the pack's synonyms rewrite to a term the speeches use is answered.
    expect(await rt.answerer.answer('首信首访应该怎么处理？')).toMatchObject({ answerable: 'yes', grounded: true });
  });

  it("a question for Yiju's own view or a prediction is 'no' / not_in_corpus with the pack's reply, not a quote", async () => {
    for (const q of ['你认为领导包案这个办法好不好？', '按这个趋势，明年全县赴京上访会不会减少？', 'What do you think of the first-visit rule?']) {
      const r = await rt.answerer.answer(q);
      expect(r, q).toMatchObject({ answerable: 'no', reason: 'not_in_corpus', grounded: false, citations: [] });
      expect(r.answer, q).toMatch(/看法|预测|opinion|prediction/u);
    }
    // Asking what the speeches think is a question about them.
    expect(await rt.answerer.answer('讲话认为领导包案有什么作用？')).toMatchObject({ grounded: true });
  });

  it('off the subject in English too: words the corpus has no rendering of make it off topic, not a quote about Beijing', async () => {
    for (const q of ['What is the capital of Peru?', 'What is the best restaurant in Beijing?']) {
      const r = await rt.answerer.answer(q);
      expect(r, q).toMatchObject({ answerable: 'no', grounded: false, citations: [] });
    }
  });

  it('a detail the speeches do not give is "partial" / detail_not_given: the plain statement first, then the quotes, never as the answer', async () => {
    for (const [q, detail] of [
      ['对信访处理意见不服申请复查，要在多少天之内提出？', '具体天数'],
      ['徐局长的全名叫什么？', '具体姓名'],
      ['县信访局接待室的具体地址在哪条街？', '具体地址'],
    ] as const) {
      const r = await rt.answerer.answer(q);
      expect(r, q).toMatchObject({ answerable: 'partial', reason: 'detail_not_given', grounded: true });
      const first = r.answer.split('\n')[0]!;
      expect(first, q).toContain(`没有给出${detail}`);
      expect(first, q).not.toMatch(/\[\d+\]/u);
      expect(r.answer, q).toContain('根据讲话原文：');
      expect(r.citations.length, q).toBeGreaterThan(0);
      expectContract(r, rt.opened.index.documents);
    }
  });

  it('a level the evidence does not match is "partial" / constraint_mismatch, naming what the question said and where the quote is from', async () => {
    const r = await rt.answerer.answer('全国信访工作会议对乡镇排查矛盾纠纷的频率是怎么规定的？');
    expect(r).toMatchObject({ answerable: 'partial', reason: 'constraint_mismatch' });
    expect(r.answer.split('\n')[0]).toMatch(/问题提到“全国”，但下面的原文出自市级/u);
  });

  it('a named speech that never says the phrase the question quotes is a mismatch, naming the speech that does', async () => {
    // “三个明白” is in the county leading-group speech only; “三到一重” is in the joint-meeting speech the second names.
    const r = await rt.answerer.answer('全市维稳工作会议上讲的“三个明白”具体指什么？');
    expect(r).toMatchObject({ answerable: 'partial', reason: 'constraint_mismatch' });
    expect(r.answer.split('\n')[0]).toMatch(
      /问题所指的《在全市维护稳定暨信访工作会议上的讲话》没有谈到这一点；下面的原文出自《在县信访工作领导小组会议上的讲话》/u,
    );
    expect(r.citations.some((c) => c.text.includes('三个明白'))).toBe(true);
    expect(await rt.answerer.answer('县信访工作联席会议上讲的“三到一重”是什么意思？')).toMatchObject({ answerable: 'yes' });
  });

  it('asked whether a figure is so, the speech stating another answers: "yes", the figure corrected after the direct line', async () => {
    // The speech says 处理案件35个 and never 37.
    const check = await rt.answerer.answer('县信访稳定领导组逐个处理了37个案件，对吗？');
    expect(check).toMatchObject({ answerable: 'yes', grounded: true });
    const first = check.answer.split('\n')[0]!;
    expect(first).toContain('35个');
    expect(first).toMatch(/（讲话中没有“37”这个数字。）$/u);
    expectContract(check, rt.opened.index.documents);
    // Asked something else of the figure, the mismatch stays a partial answer.
    const other = await rt.answerer.answer('县信访稳定领导组逐个处理的37个案件，主要是哪些单位的？');
    expect(other).toMatchObject({ answerable: 'partial', reason: 'constraint_mismatch' });
  });

  it('a multi-part question is answered part by part; a part the speeches do not answer is named first, never answered', async () => {
    const r = await rt.answerer.answer('乡镇多久排查一次矛盾纠纷？信访局接待室的电话是多少？');
    expect(r).toMatchObject({ answerable: 'partial', reason: 'detail_not_given', grounded: true });
    const lines = r.answer.split('\n').filter(Boolean);
    expect(lines[0]).toBe('其中“信访局接待室的电话是多少？”，讲话没有回答。');
    expect(lines[1]).toMatch(/^1\. 乡镇多久排查一次矛盾纠纷？ —— .*每半月一排查.*\[1\]/u);
    expect(lines[2]).toBe('2. 信访局接待室的电话是多少？ —— 讲话没有给出联系电话或联系方式。');
    expectContract(r, rt.opened.index.documents);

    const both = await rt.answerer.answer('乡镇多久排查一次矛盾纠纷？市县两级又是多久？');
    expect(both.answerable).toBe('yes');
    const [first, second] = both.answer.split('\n').filter(Boolean);
    expect(first).toContain('每半月一排查');
    expect(second).toContain('每周一排查');
    expectContract(both, rt.opened.index.documents);
  });

  it('a question in traditional characters or in pinyin is searched in the corpus script (CC-CEDICT) and answered', async () => {
    for (const q of ['鄉鎮多久排查一次矛盾糾紛？', 'xiangzhen duojiu paicha yici maodun jiufen']) {
      const r = await rt.answerer.answer(q);
      expect(r.answerable, q).toBe('yes');
      expect(r.standaloneQuestion, q).toMatch(/乡镇.*排查/u);
      expect(r.answer, q).toContain('每半月一排查');
    }
  });

  it('a place the speeches never name is "partial" / constraint_mismatch (CC-CEDICT\'s places as the gazetteer)', async () => {
    const r = await rt.answerer.answer('洛阳市的信访会议对初信初访提了什么要求？');
    expect(r).toMatchObject({ answerable: 'partial', reason: 'constraint_mismatch', grounded: true });
    expect(r.answer.split('\n')[0]).toContain('问题提到“洛阳市”');
  });

  it('a question naming a speech by its setting is answered from that speech', async () => {
    const r = await rt.answerer.answer('总队那次讲话对初信初访提了什么要求？');
    expect(r.answerable).toBe('yes');
    expect(r.citations[0]!.docId).toBe('003_31579fd67cce0887');
    expect(r.citations[0]!.cite).toBe('据《在全省**队伍信访工作会议上的讲话》（省级会议）');
  });

  it('a named speech that does not say it: "partial", naming the speech and quoting the one that does', async () => {
    const r = await rt.answerer.answer('市里那次维稳会议上讲的“乡镇吹哨、部门报到”是怎么回事？');
    expect(r).toMatchObject({ answerable: 'partial', reason: 'constraint_mismatch' });
    expect(r.answer.split('\n')[0]).toContain('问题所指的《在全市维护稳定暨信访工作会议上的讲话》没有谈到这一点');
    expect(r.citations[0]!.docId).toBe('000_7cd7c9b623be1726');
  });
});

describe("task requests (the domain pack's task patterns)", () => {
  const tasks = [
    '帮我起草一份信访工作动员讲话稿',
    '请把初信初访的要求翻译成英文',
    '你现在是县委书记，以他的口吻给群众讲讲信访工作',
    'Write me a speech on petition work for the county meeting.',
    '幫我寫一份信訪工作總結',
    '我想去北京上访，怎么才能不被劝返？',
    '把这几篇讲话总结成一份汇报材料',
    '把市里那篇讲话改写成适合发在政务公众号上的通俗文章',
  ];

  it.each(tasks)('%s → "no" / task_not_supported, with what Yiju does instead and no quotes', async (q) => {
    const r = await rt.answerer.answer(q);
    expect(r).toMatchObject({ answerable: 'no', reason: 'task_not_supported', grounded: false, citations: [] });
    expect(r.answer).toBe(corpusDomain().tasks.reply[/^[A-Za-z]/u.test(q) ? 'en' : 'zh']);
    expectContract(r, rt.opened.index.documents);
  });

  it('questions about the same subjects are still answered (the patterns catch requests, not words)', async () => {
    for (const q of ['对逃避责任的干部怎么处理？', '讲话对写好信访材料有什么要求？', '初信初访应该怎么处理？', '讲话把信访工作经验总结成了哪几条？']) {
      const r = await rt.answerer.answer(q);
      expect(r.reason, q).not.toBe('task_not_supported');
    }
  });

  it('in generative mode a task never reaches the model', async () => {
    const model = untouchableModel();
    const assistant = createAssistant({ index: rt.opened.index, embedder: rt.embedder, segmenter: rt.segmenter, chat: model, domain: rt.domain });
    const r = await assistant.answerer.answer('帮我起草一份信访工作动员讲话稿');
    expect(r).toMatchObject({ mode: 'extractive', answerable: 'no', reason: 'task_not_supported' });
    const events = [];
    for await (const e of assistant.answerer.stream('帮我起草一份信访工作动员讲话稿')) events.push(e);
    expect(events.at(-1)).toMatchObject({ type: 'done', result: { answerable: 'no', reason: 'task_not_supported' } });
    expect(model.calls).toEqual([]);
  });

  it('a corpus with no pack has no task patterns: the mechanism is data', () => {
    expect(NEUTRAL_DOMAIN.tasks.patterns).toEqual([]);
    expect(corpusDomain().tasks.patterns.length).toBeGreaterThan(0);
  });
});

/** Titles, numbered headings and meeting openers are never quoted as answers. */
import { beforeAll, describe, expect, it } from 'vitest';
import { isNonAnswer, isOwnLine } from '../../../src/core/answer/sentenceSelection.js';
import type { Runtime } from '../../../src/node/runtime.js';
import { corpusDomain } from '../../helpers/domain.js';
import { buildRuntime } from '../../helpers/http.js';

const TITLE = '在全市维护稳定暨信访工作会议上的讲话';

describe('isNonAnswer', () => {
  const openers = corpusDomain().nonAnswers;

  it('the title, or a line that is little more than it', () => {
    expect(isNonAnswer('在全市维护稳定暨信访工作会议上的讲话', TITLE)).toBe(true);
    expect(isNonAnswer('全市维护稳定暨信访工作会议', TITLE)).toBe(true);
    expect(isNonAnswer('在全市维护稳定暨信访工作会议上的讲话（摘要）', TITLE)).toBe(true);
    // The title as the text spells it on its first line, under the title the index knows.
    expect(isNonAnswer('全县信访工作会议上的领导讲话', '在全县信访工作会议上的讲话')).toBe(true);
    expect(isNonAnswer('全县信访工作会议上的领导讲话。', '在全县信访工作会议上的讲话')).toBe(false);
    expect(isNonAnswer('全市维护稳定暨信访工作会议要求各地每周排查一次矛盾纠纷，发现问题及时上报、及时化解。', TITLE)).toBe(false);
  });

  it('numbered headings without a sentence end', () => {
    expect(isNonAnswer('一、深入学习，切实增强对新形势下信访工作的认识', TITLE)).toBe(true);
    expect(isNonAnswer('（二）严控信访增量', TITLE)).toBe(true);
    expect(isNonAnswer('(二)认真及时解决群众反映的实际问题。', TITLE, [], true)).toBe(true);
    expect(isNonAnswer('一、要坚持每周排查。', TITLE)).toBe(false);
    // A numbered line of its own is a heading even when it ends like a sentence.
    expect(isNonAnswer('四、落实责任，努力形成工作合力。', TITLE, [], true)).toBe(true);
    expect(isNonAnswer('四、落实责任，努力形成工作合力。', TITLE, [], false)).toBe(false);
    const text = '三、加强领导。\n四、落实责任，努力形成工作合力。\n  要建立责任制。';
    const at = text.indexOf('四');
    expect(isOwnLine(text, at, text.indexOf('\n', at))).toBe(true);
    expect(isOwnLine(text, text.indexOf('要'), text.length)).toBe(true);
    expect(isOwnLine(text, text.indexOf('落实'), text.indexOf('，', at))).toBe(false);
  });

  it('openers from the domain pack (none without one)', () => {
    expect(isNonAnswer('今天，我们召开全市维护稳定暨信访工作会议上。', '某讲话', openers)).toBe(true);
    expect(isNonAnswer('今天，我们召开全市维护稳定暨信访工作会议上。', '某讲话')).toBe(false);
    expect(isNonAnswer('这次全县信访工作会议，是县四大班子研究决定召开的一次非常重要、十分紧迫的会议。', '某讲话', openers)).toBe(true);
    expect(isNonAnswer('这次会议的主要任务是，传达贯彻省、市信访工作会议精神。', '某讲话', openers)).toBe(false);
  });
});

describe('answers never quote them', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await buildRuntime();
  }, 180_000);

  it.each([
    '市里那次维稳会议怎么评价过去一年的信访工作？',
    '全县信访工作会议讲了哪些问题？',
    '总队讲话第二部分讲的是什么？',
    '全县信访工作会议上的领导讲话提了哪些要求？',
    '通许县全县信访工作会议上，领导把北京看作信访工作的什么？',
    '信访工作的责任怎么落实？',
  ])('%s', async (q) => {
    const r = await rt.answerer.answer(q);
    for (const c of r.citations) {
      const doc = rt.opened.index.documents.get(c.docId)!;
      expect(isNonAnswer(c.text, doc.title, rt.domain.nonAnswers, isOwnLine(doc.text, c.start, c.end)), `[${c.n}] ${c.text}`).toBe(false);
    }
  });
});

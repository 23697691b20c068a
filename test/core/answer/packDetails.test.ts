/** The corpus pack's answer types and details on small inputs: the kind of fact asked must be the kind given. */
import { describe, expect, it } from 'vitest';
import { missingDetail } from '../../../src/core/answer/answerability.js';
import { missingAnswerType } from '../../../src/core/retrieve/answerType.js';
import { corpusDomain } from '../../helpers/domain.js';

const { answerTypes, details } = corpusDomain();
/** The detail the pack says a question asks for and one sentence does not give (null: given, or none asked). */
const missing = (q: string, text: string) => missingDetail(q, [{ docId: 'a', text }], details)?.name ?? null;

describe("the pack's time limit (within how long) is not answered by a schedule", () => {
  it('"多长时间内要上报" is not answered by 每周一排查, but by a limit', () => {
    const q = '村里发生矛盾纠纷后，多长时间内要上报？';
    expect(missingAnswerType(q, [{ text: '村居坚持每周一排查制度。' }], answerTypes)?.name).toBe('a time limit');
    expect(missingAnswerType(q, [{ text: '发现矛盾纠纷要在24小时内上报乡镇。' }], answerTypes)).toBeNull();
    expect(missingAnswerType(q, [{ text: '发现重大矛盾纠纷要立即上报。' }], answerTypes)).toBeNull();
  });
  it('"多久排查一次" (how often) is still answered by a schedule', () => {
    expect(missingAnswerType('乡镇多久排查一次矛盾纠纷？', [{ text: '乡镇坚持每半月一排查制度。' }], answerTypes)).toBeNull();
  });
});

describe("the pack's details: the kind of fact asked must be the kind given", () => {
  it('a figure is given only in the unit asked (多少分: not 2起), 个 asked or given counting any', () => {
    expect(missing('班子考核被扣了多少分？', '去年就发生了2起进京访事件，在班子考核中还因此被扣分。')).toBe('a figure');
    expect(missing('班子考核被扣了多少分？', '在班子考核中被扣5分。')).toBeNull();
    expect(missing('一共复查甄别了多少件？', '对排查出的54个信访积案进行了复查、甄别。')).toBeNull();
    expect(missing('一共有多少个案件？', '处理案件35件。')).toBeNull();
  });

  it('a number of people is not given by a number of batches; a count of people (余人次) is', () => {
    expect(missing('驻京工作组一共配了几个人？', '今年就接待劝返了赴京集体上访10批。')).toBe('a number of people');
    expect(missing('堵塞交通的集体上访有多少人次？', '共12批870余人次。')).toBeNull();
  });

  it("a person's name is not given by a document's title or a role; a name with a title is", () => {
    expect(missing('中央社会工作部部长是谁？', '今年中央印发的《党和国家机构改革方案》，明确组建中央社会工作部。')).toBe("a person's name");
    expect(missing('那次会上的分管局长叫什么名字？', '刚才，和军副总队长宣读了实施方案。')).toBeNull();
  });

  it('a time of day and a brand are details of their own', () => {
    expect(missing('律师周三接待是上午还是下午？', '每周三到信访局接待室接待涉法信访群众。')).toBe('a time of day');
    expect(missing('律师周三几点开始接待？', '每周三上午9点到信访局接待室接待。')).toBeNull();
    expect(missing('给信访局买的新车是什么牌子？', '为信访局购买了新车，改善了办公条件。')).toBe('a name');
  });
});

describe("the pack's details: deadlines and lists", () => {
  it('最迟/最晚什么时候 asks a date: given by 九月底, not by the duty alone', () => {
    expect(missing('积案最迟什么时候要报结？', '对信访积案要进行一次认真清理。')).toBe('a date');
    expect(missing('积案最晚什么时候报结？', '限九月底前报结。')).toBeNull();
  });

  it('哪几类/哪几种 asks the items of a list; three items joined by 还是 or 和 give them', () => {
    expect(missing('信访责任主体分哪几类？', '就明确了责任主体。')).toBe('the items of a list');
    expect(missing('管辖分哪几种？', '是属于地域管辖、职能管辖还是级别管辖。')).toBeNull();
  });
});

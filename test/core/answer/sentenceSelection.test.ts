import { describe, expect, it } from 'vitest';
import {
  answeringClause,
  bigramRecall,
  DIRECT_LINE_RUN_ON,
  DIRECT_LINE_SAYS,
  selectSentences,
  type ScoredSentence,
} from '../../../src/core/answer/sentenceSelection.js';
import type { AnswerType, DetailType } from '../../../src/core/domain/pack.js';
import type { Segmenter } from '../../../src/core/ports.js';
import type { Document, Passage } from '../../../src/core/types.js';

const text = '会议强调要抓好信访工作。初信初访要首接首办，及时就地化解。领导干部要带头接访下访，包案化解信访积案。天气很好。';
const doc: Document = { id: 'd', title: '讲话', text, meta: {}, hash: 'h' };
const passage: Passage = {
  chunkId: 'd#0',
  docId: 'd',
  title: '讲话',
  start: 0,
  end: text.length,
  text,
  score: 1,
  signals: { lexical: 1, dense: 0, sentence: 0 },
};
/** Splits into two-character words, enough for coverage. */
const pairs: Segmenter = {
  terms: (t) => t.replace(/[\p{P}\s]/gu, '').match(/../gu) ?? [],
  queryTerms: (t) => t.replace(/[\p{P}\s]/gu, '').match(/../gu) ?? [],
};

describe('bigramRecall', () => {
  it("is the share of the question's character pairs the sentence contains, ignoring punctuation", () => {
    expect(bigramRecall('初信初访', '初信初访要首接首办')).toBe(1);
    expect(bigramRecall('初信初访', '初信')).toBeCloseTo(1 / 3);
    expect(bigramRecall('？', '任何句子')).toBe(0);
  });
});

describe('selectSentences without an embedder', () => {
  it("picks the sentence that shares the question's words, with exact offsets, and never embeds", async () => {
    const picked = await selectSentences(
      '初信初访怎么办',
      [passage],
      new Map([['d', doc]]),
      { embedder: null, segmenter: pairs, idf: () => 1 },
      { maxSentences: 2, relativeFloor: 0.85 },
    );
    expect(picked[0]!.text).toBe('初信初访要首接首办，及时就地化解。');
    expect(text.slice(picked[0]!.start, picked[0]!.end)).toBe(picked[0]!.text);
    expect(picked.every((s) => s.text !== '天气很好。')).toBe(true);
  });
});

describe('answeringClause', () => {
  const sentence = (s: string): ScoredSentence => ({
    docId: 'd',
    start: 100,
    end: 100 + s.length,
    text: s,
    title: '讲话',
    passageRank: 0,
    similarity: 1,
    coverage: 1,
    score: 1,
  });
  const deps = { segmenter: pairs, idf: () => 1 };
  const LAND = '对涉及的土地纠纷、合同纠纷、民事纠纷等，要引导群众通过仲裁、行政复议、法律诉讼等渠道解决，用法律维护自身权益，促其息访息诉。';

  it('runs on from the clause naming the subject over what is said of it, within DIRECT_LINE_RUN_ON, as an exact span', () => {
    const line = answeringClause('土地纠纷合同纠纷应当怎么解决', sentence(LAND), deps)!;
    expect(line.text).toBe('对涉及的土地纠纷、合同纠纷、民事纠纷等，要引导群众通过仲裁、行政复议、法律诉讼等渠道解决，用法律维护自身权益');
    expect(line.text.replace(/[\p{P}]/gu, '').length).toBeLessThanOrEqual(DIRECT_LINE_RUN_ON);
    expect(LAND.slice(line.start - 100, line.end - 100)).toBe(line.text);
  });

  it('stops at the clause that states what is asked (a frequency for 多久)', () => {
    const often: AnswerType = { name: 'frequency', asks: /多久/u, answeredBy: /每[周月年天日]|每半月/u, label: { zh: '频次', en: 'how often' } };
    const s = '要健全矛盾纠纷排查制度，市、县两级坚持每周一排查、每周一通报、每周一反馈的制度，乡镇坚持每半月一排查制度，村居要及时排查。';
    expect(answeringClause('乡镇多久排查一次', sentence(s), { ...deps, answerTypes: [often] })!.text).toBe('乡镇坚持每半月一排查制度');
  });

  it('prefers the clause that gives the detail asked for (a figure for 多少件) over the one naming the subject', () => {
    const words = ['政法委', '牵头', '专项治理', '涉法', '案件', '复查', '甄别'];
    const segmenter: Segmenter = { terms: (t) => words.filter((w) => t.includes(w)), queryTerms: (t) => words.filter((w) => t.includes(w)) };
    const figure: DetailType = { name: 'figure', asks: /多少件/u, givenBy: /\d+个/gu, label: { zh: '具体数字', en: 'the figure' } };
    const s = '今年年初，全县开展了涉法信访案件专项治理活动，成立了由县委政法委牵头的专项治理工作组，对排查出的54个信访积案进行了复查、甄别，该纠正的纠正。';
    const q = '政法委牵头的专项治理，一共复查甄别了多少件？';
    // Without the details, the clause with most of the question's words wins: it names the subject, not the figure.
    expect(answeringClause(q, sentence(s), { segmenter, idf: () => 1 })!.text.startsWith('成立了由县委政法委牵头的专项治理工作组')).toBe(true);
    const line = answeringClause(q, sentence(s), { segmenter, idf: () => 1, details: [figure] })!;
    expect(line.text).toBe('对排查出的54个信访积案进行了复查、甄别');
    expect(s.slice(line.start - 100, line.end - 100)).toBe(line.text);
    // A global pattern (as the pack compiles givenBy) gives the same answer every time.
    expect(answeringClause(q, sentence(s), { segmenter, idf: () => 1, details: [figure] })!.text).toBe(line.text);
  });

  it('a clause that goes on from the one before it (不单是…而且…) brings that one: the line never starts mid-thought', () => {
    const words = ['信访', '部门', '系统工程'];
    const segmenter: Segmenter = { terms: (t) => words.filter((w) => t.includes(w)), queryTerms: (t) => words.filter((w) => t.includes(w)) };
    const s =
      '信访工作是一个系统工程，不单是信访部门的工作，而且是各级各部门的工作，必须有效整合社会各方面的力量，形成工作合力，确保矛盾纠纷化解在基层、解决在当地，不让小事拖大、大事拖炸。';
    const line = answeringClause('信访是不是只是信访局一个部门的事？', sentence(s), { segmenter, idf: (t) => (t === '部门' ? 3 : 1) })!;
    expect(line.text.startsWith('信访工作是一个系统工程，不单是信访部门的工作')).toBe(true);
    expect(s.slice(line.start - 100, line.end - 100)).toBe(line.text);
  });

  it('joins the clause after a long one naming the subject, within DIRECT_LINE_SAYS, as an exact span', () => {
    const s = '今后各级各有关部门凡出台、实施与群众切身利益密切相关的政策措施和重大建设项目，要确定负责信访工作的责任领导和责任人员，确保有人负责。';
    const line = answeringClause('今后出台跟群众利益相关的重大建设项目要落实什么', sentence(s), deps)!;
    expect(line.text).toBe('今后各级各有关部门凡出台、实施与群众切身利益密切相关的政策措施和重大建设项目，要确定负责信访工作的责任领导和责任人员');
    expect(line.text.replace(/[\p{P}]/gu, '').length).toBeGreaterThan(DIRECT_LINE_RUN_ON);
    expect(line.text.replace(/[\p{P}]/gu, '').length).toBeLessThanOrEqual(DIRECT_LINE_SAYS);
    expect(s.slice(line.start - 100, line.end - 100)).toBe(line.text);
  });

  it('is null for a sentence short enough to be the line, or when no clause holds the question', () => {
    expect(answeringClause('初信初访', sentence('初信初访要首接首办，及时就地化解。'), deps)).toBeNull();
    expect(answeringClause('天气如何', sentence(LAND), deps)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { isFollowUp, rewriteFollowUp } from '../../../src/core/answer/followUp.js';
import type { ChatTurn } from '../../../src/core/answer/types.js';
import { corpusDomain } from '../../helpers/domain.js';

/** The levels and units of the shipped corpus' domain pack. */
const LEVELS = corpusDomain().levels;

const COUNTY = '县里多久排查一次矛盾纠纷？';
const history = (...questions: string[]): ChatTurn[] =>
  questions.flatMap((q) => [
    { role: 'user' as const, content: q },
    { role: 'assistant' as const, content: '根据讲话原文：……[1]' },
  ]);

describe('rewriteFollowUp (the offline heuristic)', () => {
  it('rewrites "那乡镇呢？" after the county question into a standalone question about 乡镇', () => {
    const q = rewriteFollowUp('那乡镇呢？', history(COUNTY), LEVELS);
    expect(q).toContain('乡镇');
    expect(q).not.toContain('县里');
    expect(q).toContain('排查');
    expect(q).toBe('乡镇多久排查一次矛盾纠纷？');
  });

  it('uses the latest user question, skipping assistant turns and blank user turns', () => {
    const h: ChatTurn[] = [...history('初信初访应该怎么处理？', COUNTY), { role: 'user', content: '   ' }];
    expect(rewriteFollowUp('那乡镇呢？', h, LEVELS)).toBe('乡镇多久排查一次矛盾纠纷？');
  });

  it('replaces a run of levels ("市县两级") as a whole', () => {
    expect(rewriteFollowUp('那乡镇呢？', history('市县两级多久排查一次矛盾纠纷？'), LEVELS)).toBe('乡镇多久排查一次矛盾纠纷？');
    expect(rewriteFollowUp('那村里呢？', history('县、乡怎么落实包案责任？'), LEVELS)).toBe('村里怎么落实包案责任？');
  });

  it('swaps one administrative level for another in either direction', () => {
    expect(rewriteFollowUp('那市里呢？', history('乡镇多久排查一次矛盾纠纷？'), LEVELS)).toBe('市里多久排查一次矛盾纠纷？');
    expect(rewriteFollowUp('那村里呢', history(COUNTY), LEVELS)).toBe('村里多久排查一次矛盾纠纷？');
  });

  it('without history, the question comes back unchanged (trimmed)', () => {
    expect(rewriteFollowUp('那乡镇呢？')).toBe('那乡镇呢？');
    expect(rewriteFollowUp('那乡镇呢？', [], LEVELS)).toBe('那乡镇呢？');
    expect(rewriteFollowUp('  乡镇多久排查一次矛盾纠纷？ ', [], LEVELS)).toBe('乡镇多久排查一次矛盾纠纷？');
    // Only assistant turns: nothing to rewrite against.
    expect(rewriteFollowUp('那乡镇呢？', [{ role: 'assistant', content: '县两级坚持每周一排查。' }], LEVELS)).toBe('那乡镇呢？');
  });

  it('leaves full standalone questions unchanged even with history', () => {
    for (const q of [
      '初信初访应该怎么处理？',
      '对信访工作不力的干部怎么追究责任？',
      '信访工作联席会议多久召开一次？',
      'How should first-time petitions be handled?',
    ]) {
      expect(isFollowUp(q)).toBe(false);
      expect(rewriteFollowUp(q, history(COUNTY), LEVELS)).toBe(q);
    }
  });

  it('leaves short but self-contained questions unchanged (a change of topic is not a follow-up)', () => {
    // "什么是包案？" names its own topic; gluing the previous question onto it sends retrieval to 排查.
    for (const q of ['什么是包案？', '首办责任制是什么？']) {
      expect(rewriteFollowUp(q, history(COUNTY), LEVELS)).toBe(q);
    }
  });

  it('recognises elliptical follow-ups', () => {
    for (const q of ['那乡镇呢？', '还有呢？', '这个怎么落实？', 'What about townships?']) expect(isFollowUp(q)).toBe(true);
  });

  it('a bare "还有呢？" repeats the previous question; a pronoun follow-up keeps the previous question as context', () => {
    expect(rewriteFollowUp('还有呢？', history(COUNTY), LEVELS)).toBe(COUNTY);
    const q = rewriteFollowUp('这个由谁负责？', history('初信初访应该怎么处理？'), LEVELS);
    expect(q).toContain('初信初访');
    expect(q).toContain('由谁负责');
  });
});

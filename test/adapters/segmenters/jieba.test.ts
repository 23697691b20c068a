import { beforeAll, describe, expect, it } from 'vitest';
import { JiebaSegmenter, toJiebaDict } from '../../../src/adapters/segmenters/jieba.js';
import { corpusDomain } from '../../helpers/domain.js';

let seg: JiebaSegmenter;
beforeAll(() => {
  seg = new JiebaSegmenter(corpusDomain().terms);
});

describe('JiebaSegmenter', () => {
  // Sentences from the corpus (or close to it) in which each domain term occurs.
  it.each([
    ['初信初访', '主动化解本部门本地初信初访，及时办理群众诉求。'],
    ['三到位一处理', '按照“三到位一处理”原则，主动开展工作。'],
    ['越级访', '就会引发一系列的越级访、重复访和集体访。'],
    ['联席会议', '书记、主任（乡长）作为联席会议总召集人，至少每两周召开一次。'],
    ['包案', '前期已有领导干部包案不力、稳控不到位的问题。'],
  ])('keeps the domain term %s whole', (term, sentence) => {
    expect(seg.terms(sentence)).toContain(term);
  });

  it('finds the domain terms in questions too, so BM25 can match them', () => {
    expect(seg.queryTerms('什么是初信初访？')).toContain('初信初访');
    expect(seg.queryTerms('三到位一处理指的是什么')).toContain('三到位一处理');
    expect(seg.queryTerms('领导包案怎么落实')).toContain('包案');
  });

  it('drops punctuation, symbols and whitespace', () => {
    const terms = seg.terms('同志们：这是一个问题，，！“信访”（工作）…… —— 100% + ＊ \n\t');
    expect(terms.length).toBeGreaterThan(0);
    for (const t of terms) expect(t).not.toMatch(/^[\s\p{P}\p{S}]+$/u);
    expect(terms).toContain('信访');
    expect(terms).toContain('工作');
  });

  it('drops stopwords', () => {
    const terms = seg.terms('我们的同志们是在这个会议上讲了什么？');
    for (const stop of ['我们', '的', '同志们', '是', '在', '这个', '了', '什么']) expect(terms).not.toContain(stop);
    expect(terms).toContain('会议');
  });

  it('lower-cases English and drops English stopwords', () => {
    const terms = seg.terms('The Petition Hotline and APP of 信访局');
    expect(terms).toEqual(expect.arrayContaining(['petition', 'hotline', 'app', '信访局']));
    for (const t of terms) expect(t).toBe(t.toLowerCase());
    expect(terms).not.toContain('the');
    expect(terms).not.toContain('and');
  });

  it('gives the same terms for a question and a passage with the same words', () => {
    const text = '初信初访要就地化解';
    expect(seg.queryTerms(text)).toEqual(seg.terms(text));
  });

  it('accepts extra user words', () => {
    const custom = new JiebaSegmenter([...corpusDomain().terms, '文秘资源网', '接诉即办']);
    expect(custom.terms('本资料权属文秘资源网')).toContain('文秘资源网');
    expect(custom.terms('推行接诉即办机制')).toContain('接诉即办');
    expect(seg.terms('推行接诉即办机制')).not.toContain('接诉即办');
  });

  it('returns nothing for empty or punctuation-only text', () => {
    expect(seg.terms('')).toEqual([]);
    expect(seg.terms('。，！？ \n')).toEqual([]);
  });
});

describe('toJiebaDict', () => {
  it('writes one "word frequency tag" line per word', () => {
    const dict = toJiebaDict([' 初信初访 ', '包案']);
    const lines = dict.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^初信初访 \d+ n$/u);
    expect(lines[1]).toMatch(/^包案 \d+ n$/u);
  });
});

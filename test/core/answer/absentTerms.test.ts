/** Terms of the field the documents never use (src/core/answer/absentTerms.ts), on small inputs. */
import { describe, expect, it } from 'vitest';
import { absentTermIn, absentTerms } from '../../../src/core/answer/absentTerms.js';

const documents = [
  { title: '在全县信访工作会议上的讲话', text: '要按照分级负责、归口办理和谁主管、谁负责的原则，对信访复查意见认真研究。' },
  { title: '另一篇讲话', text: '初信初访要及时就地化解。' },
];

describe('absentTerms', () => {
  it('are the terms no document uses, in its title or text', () => {
    expect(absentTerms(['听证', '复核', '复查', '初信初访', '信访工作'], documents, [])).toEqual(['听证', '复核']);
  });

  it('punctuation inside a term in the documents still counts as the term (谁主管、谁负责)', () => {
    expect(absentTerms(['谁主管谁负责', '分级负责'], documents, [])).toEqual([]);
  });

  it('a term a synonym rewrites (an alias of a term the documents use) is not absent', () => {
    const synonyms = [[/首信首访/u, '初信初访']] as const;
    expect(absentTerms(['首信首访', '听证'], documents, synonyms)).toEqual(['听证']);
  });
});

describe('absentTermIn', () => {
  const absent = ['听证', '信访听证', '复核'];
  it('finds the longest absent term a question uses, also written with punctuation inside', () => {
    expect(absentTermIn('信访听证会一般由谁主持？', absent)).toBe('信访听证');
    expect(absentTermIn('申请“复核”要找哪一级机关？', absent)).toBe('复核');
  });
  it('is null when the question uses none', () => {
    expect(absentTermIn('初信初访应该怎么处理？', absent)).toBeNull();
  });
});

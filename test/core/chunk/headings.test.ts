import { describe, expect, it } from 'vitest';
import { isNumberedHeading } from '../../../src/core/chunk/headings.js';

describe('isNumberedHeading', () => {
  it('numbered, short lines, with or without a sentence end', () => {
    for (const line of [
      '一、深入学习，切实增强对新形势下信访工作的认识',
      '（二）严控信访增量',
      '(三)认真解决群众反映的实际问题。',
      '第三部分：工作要求',
      '第二，要加强领导',
    ])
      expect(isNumberedHeading(line), line).toBe(true);
  });

  it('not a numbered sentence that runs on, nor a line without the numbering', () => {
    expect(isNumberedHeading('一、要坚持每周排查矛盾纠纷，发现问题及时上报、及时化解，做到小事不出村、大事不出乡、矛盾不上交。')).toBe(false);
    expect(isNumberedHeading('深入学习，切实增强认识')).toBe(false);
    expect(isNumberedHeading('十分重要')).toBe(false);
  });
});

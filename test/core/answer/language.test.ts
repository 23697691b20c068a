import { describe, expect, it } from 'vitest';
import { answerLanguage } from '../../../src/core/answer/language.js';

describe('answerLanguage', () => {
  it('English for a question written in a Latin-script language', () => {
    expect(answerLanguage('Who is responsible for petition work?')).toBe('en');
    expect(answerLanguage('why?')).toBe('en');
  });

  it('Chinese for Chinese, and for a letter or two that say no language (a stray key, "ok")', () => {
    expect(answerLanguage('初信初访应该怎么处理？')).toBe('zh');
    expect(answerLanguage('a')).toBe('zh');
    expect(answerLanguage('ok')).toBe('zh');
    expect(answerLanguage('？？')).toBe('zh');
  });
});

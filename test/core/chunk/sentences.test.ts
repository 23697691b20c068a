import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../../src/core/chunk/sentences.js';

const texts = (text: string, start?: number, end?: number) => splitSentences('d', text, start, end).map((s) => text.slice(s.start, s.end));

describe('splitSentences', () => {
  it('splits after sentence enders and keeps closing quotes and brackets with the sentence', () => {
    expect(texts('要落实责任。要化解矛盾！对吗？他说：“好。”（完。）然后；继续')).toEqual([
      '要落实责任。',
      '要化解矛盾！',
      '对吗？',
      '他说：“好。”',
      '（完。）',
      '然后；',
      '继续',
    ]);
  });

  it('splits at line breaks and trims whitespace', () => {
    const text = '  第一行没有句号 \n  第二行。  第三句。 ';
    expect(texts(text)).toEqual(['第一行没有句号', '第二行。', '第三句。']);
    for (const s of splitSentences('d', text)) {
      expect(s.docId).toBe('d');
      expect(text.slice(s.start, s.end)).toBe(text.slice(s.start, s.end).trim());
    }
  });

  it('does not split at commas or the enumeration comma', () => {
    expect(texts('一是按制度办事，二是按程序办事、按规矩办事。')).toEqual(['一是按制度办事，二是按程序办事、按规矩办事。']);
  });

  it('handles ASCII enders', () => {
    expect(texts('Really? Yes! v2.0 OK; 好。')).toEqual(['Really?', 'Yes!', 'v2.0 OK;', '好。']);
  });

  it('returns absolute offsets inside the requested range only', () => {
    const text = '前文。第一句。第二句。后文。';
    const start = text.indexOf('第一句');
    const end = text.indexOf('后文');
    const spans = splitSentences('d', text, start, end);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['第一句。', '第二句。']);
    for (const s of spans) {
      expect(s.start).toBeGreaterThanOrEqual(start);
      expect(s.end).toBeLessThanOrEqual(end);
    }
  });

  it('returns nothing for whitespace', () => {
    expect(splitSentences('d', ' \n \n')).toEqual([]);
  });
});

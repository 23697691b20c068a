import { describe, expect, it } from 'vitest';
import { deriveTitle } from '../../../src/core/ingest/title.js';
import { corpusDocument as corpusText } from '../../helpers/corpus.js';

describe('titles of the corpus documents, from their text alone (no sidecar metadata)', () => {
  const corpusDocument = (prefix: string) => corpusText(prefix, { sidecar: false });

  it('004 has a title line', () => {
    expect(corpusDocument('004').title).toBe('全县信访工作会议上的领导讲话');
  });

  it('001 is named after the meeting it was given at', () => {
    expect(corpusDocument('001').title).toBe('在全市维护稳定暨信访工作会议上的讲话');
  });

  it('000 is named after the joint meeting (联席会议) it was given at', () => {
    expect(corpusDocument('000').title).toBe('在信访工作联席会议上的讲话');
  });

  it('002 is named after the meeting mentioned in its opening', () => {
    expect(corpusDocument('002').title).toBe('在领导小组会议上的讲话');
  });

  it('003 (no named meeting) is titled by its opening sentence, shortened', () => {
    const doc = corpusDocument('003');
    const opening = doc.text.split('\n')[1]!;
    expect(doc.title.endsWith('…')).toBe(true);
    expect(opening.startsWith(doc.title.slice(0, -1))).toBe(true);
    expect(doc.title.length).toBeLessThanOrEqual(25);
  });

  it('no title is a salutation or ends with sentence punctuation', () => {
    for (const p of ['000', '001', '002', '003', '004']) {
      const { title } = corpusDocument(p);
      expect(title).not.toMatch(/^同志们/u);
      expect(title).not.toMatch(/[。，：；！？]$/u);
    }
  });
});

describe('deriveTitle', () => {
  it('uses a short first line without closing punctuation', () => {
    expect(deriveTitle('关于加强信访工作的讲话\n同志们：\n开会。', 'x')).toBe('关于加强信访工作的讲话');
  });

  it('does not use a salutation, a sentence, or an over-long first line', () => {
    expect(deriveTitle('同志们\n今天我们召开全县信访工作推进会议。', 'x')).toBe('在全县信访工作推进会议上的讲话');
    expect(deriveTitle('各位领导：\n这次全县信访工作会议很重要。', 'x')).toBe('在全县信访工作会议上的讲话');
    expect(deriveTitle('信访工作很重要。\n正文。', 'x')).toBe('信访工作很重要');
    const long = '这是一个非常非常长的第一行它没有任何标点符号但是长度超过了四十个字符所以不能作为标题使用的';
    expect(long.length).toBeGreaterThan(40);
    expect(deriveTitle(long, 'x')).not.toBe(long);
  });

  it('prefers the meeting after 召开 over other mentions', () => {
    expect(deriveTitle('同志们：\n在这次会上，我们召开了一次全县信访稳定工作会议。本次常委会议也研究了。', 'x')).toBe('在全县信访稳定工作会议上的讲话');
  });

  it('falls back to the shortened opening sentence, then to the id', () => {
    const sentence = '信访工作是党的群众工作的重要组成部分是了解社情民意的重要窗口';
    const t = deriveTitle(`同志们：\n${sentence}。其他内容。`, 'x');
    expect(t.endsWith('…')).toBe(true);
    expect(t.length).toBeLessThan(sentence.length);
    expect(sentence.startsWith(t.slice(0, -1))).toBe(true);
    expect(deriveTitle('同志们：\n信访无小事。其他内容。', 'x')).toBe('信访无小事');
    expect(deriveTitle('', 'fallback-id')).toBe('fallback-id');
  });
});

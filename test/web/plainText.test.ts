import { describe, expect, it } from 'vitest';
import { plainText, splitModeNote } from '../../src/web/plainText.js';

const ANSWER =
  '乡镇坚持每半月一排查制度[1]。\n\n根据讲话原文：\n\n- 要健全矛盾纠纷排查制度，**乡镇坚持每半月一排查制度**。[2]\n- 村居要及时排查。[3]\n\n> 离线摘录模式：以上句子均为讲话原文，未经大模型改写；点击编号可查看出处。';

describe('splitModeNote', () => {
  it("takes an extractive answer's closing note off, and gives its text", () => {
    const [text, note] = splitModeNote(ANSWER, 'extractive');
    expect(note).toBe('离线摘录模式：以上句子均为讲话原文，未经大模型改写；点击编号可查看出处。');
    expect(text.endsWith('村居要及时排查。[3]')).toBe(true);
  });

  it('leaves a model answer, and an answer with no closing quote block, as they are', () => {
    expect(splitModeNote(ANSWER, 'generative')).toEqual([ANSWER, null]);
    expect(splitModeNote('只有一句。[1]', 'extractive')).toEqual(['只有一句。[1]', null]);
  });
});

describe('plainText', () => {
  it('turns list items into bullets and drops quote and emphasis marks, keeping the [n] markers', () => {
    expect(plainText(splitModeNote(ANSWER, 'extractive')[0])).toBe(
      '乡镇坚持每半月一排查制度[1]。\n\n根据讲话原文：\n\n• 要健全矛盾纠纷排查制度，乡镇坚持每半月一排查制度。[2]\n• 村居要及时排查。[3]',
    );
    expect(plainText('> 引用\n\n\n\n1. 第一\n2. 第二')).toBe('引用\n\n1. 第一\n2. 第二');
  });
});

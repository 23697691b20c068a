import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransformersEmbedder } from '../../../src/adapters/embedders/transformersEmbedder.js';
import { provisionModel } from '../../../src/adapters/models/provision.js';
import { lexicalSupport, verifyCitations } from '../../../src/core/answer/verify.js';
import type { Passage } from '../../../src/core/types.js';
import { corpusDocument, makeTempDir } from '../../helpers/corpus.js';
import { sharedModelDir } from '../../helpers/model.js';
import { FakeEmbedder } from '../../helpers/fakeEmbedder.js';
import { corpusDomain } from '../../helpers/domain.js';

/** A passage cut from the real corpus at the exact offsets of `snippet`. */
function passage(prefix: string, snippet: string): Passage {
  const doc = corpusDocument(prefix);
  const start = doc.text.indexOf(snippet);
  if (start < 0) throw new Error(`snippet not in ${prefix}: ${snippet}`);
  return {
    docId: doc.id,
    chunkId: `${doc.id}#test`,
    title: doc.title,
    start,
    end: start + snippet.length,
    text: snippet,
    score: 1,
    signals: { lexical: 0, dense: 0, sentence: 0 },
  };
}

const TOWNSHIP = passage('001', '要健全矛盾纠纷排查制度，市、县两级坚持每周一排查、每周一通报、每周一反馈的制度，乡镇坚持每半月一排查制度，村居要及时排查。');
const THREE = passage(
  '003',
  '习近平总书记就信访工作提出了“三到位、一处理”的指示要求（即诉求合理的解决到位、诉求无理的思想教育到位、生活困难的帮扶救助到位，行为违法的依法处理），最大限度地把问题解决在当地，把矛盾化解在当地，是我们处理好信访问题的根本遵循。',
);
const MEETING = passage(
  '000',
  '书记、主任（乡长）作为联席会议总召集人，至少每两周要召开专题会议研究信访维稳工作，要对当前信访形势、风险隐患和重点个案进行研究。',
);
/** [1] township screening, [2] 三到位一处理, [3] joint meetings. */
const PASSAGES = [TOWNSHIP, THREE, MEETING];

const S_TOWNSHIP = '乡镇坚持每半月一排查制度';
const S_THREE = '诉求合理的要解决到位，诉求无理的要思想教育到位';
const S_MEETING = '联席会议总召集人至少每两周要召开专题会议';
const S_INVENTED = '信访工作人员每月可领取五百元专项补贴';

const markers = (answer: string) => [...answer.matchAll(/\[(\d+)\]/gu)].map((m) => Number(m[1]));

/** The contract on a verified answer: every marker is a cited passage, every cited passage is marked. */
function expectConsistent(v: { answer: string; cited: number[] }, passageCount = PASSAGES.length) {
  const used = markers(v.answer);
  expect(new Set(used)).toEqual(new Set(v.cited));
  for (const n of v.cited) expect(n >= 1 && n <= passageCount).toBe(true);
  // No bracket groups other than single [n] markers survive.
  expect(v.answer).not.toMatch(/\[\s*\d+\s*[,，、]/u);
}

describe('lexicalSupport', () => {
  it('is the share of the sentence bigrams found in the passage', () => {
    expect(lexicalSupport(S_TOWNSHIP, TOWNSHIP.text)).toBe(1);
    expect(lexicalSupport(S_TOWNSHIP, MEETING.text)).toBeLessThan(0.35);
    expect(lexicalSupport(S_INVENTED, TOWNSHIP.text)).toBeLessThan(0.35);
    // Too short to judge.
    expect(lexicalSupport('乡镇', TOWNSHIP.text)).toBe(0);
  });
});

describe('verifyCitations (lexical support only)', () => {
  it('keeps valid markers and changes nothing', async () => {
    const text = `${S_TOWNSHIP}[1]。${S_THREE}[2]。${S_MEETING}[3]。`;
    const v = await verifyCitations(text, PASSAGES, null);
    expect(v).toMatchObject({ answer: text, cited: [1, 2, 3], unsupported: [], repaired: 0 });
  });

  it('keeps Markdown structure: a lead line and list items', async () => {
    const text = `根据讲话原文：\n\n${S_TOWNSHIP}[1]。\n\n- ${S_THREE}[2]\n- ${S_MEETING}[3]\n`;
    const v = await verifyCitations(text, PASSAGES, null);
    expect(v.answer).toBe(text);
    expect(v.cited).toEqual([1, 2, 3]);
    expect(v.unsupported).toEqual([]);
  });

  it('repairs a marker to a passage that does not exist ([9] of 3) to the supporting passage', async () => {
    const v = await verifyCitations(`${S_TOWNSHIP}[9]。${S_MEETING}[3]。`, PASSAGES, null);
    expect(v.answer).toBe(`${S_TOWNSHIP}[1]。${S_MEETING}[3]。`);
    expect(v.cited).toEqual([1, 3]);
    expect(v.repaired).toBe(1);
    expect(v.unsupported).toEqual([]);
    expectConsistent(v);
  });

  it('removes [0] and [9] when no passage supports the sentence', async () => {
    const v = await verifyCitations(`${S_INVENTED}[9]。${S_TOWNSHIP}[0]。`, PASSAGES, null);
    expect(v.answer).toBe(`${S_INVENTED}。${S_TOWNSHIP}[1]。`);
    expect(v.unsupported).toEqual([`${S_INVENTED}。`]);
    expect(v.cited).toEqual([1]);
    expectConsistent(v);
  });

  it('moves a marker to a passage that does not support the sentence onto the one that does', async () => {
    const v = await verifyCitations(`${S_TOWNSHIP}[2]。${S_THREE}[3]。`, PASSAGES, null);
    expect(v.answer).toBe(`${S_TOWNSHIP}[1]。${S_THREE}[2]。`);
    expect(v.cited).toEqual([1, 2]);
    expect(v.repaired).toBe(2);
    expectConsistent(v);
  });

  it('adds the supporting marker to a supported sentence that has none', async () => {
    const v = await verifyCitations(`${S_MEETING}。`, PASSAGES, null);
    expect(v.answer).toBe(`${S_MEETING}[3]。`);
    expect(v.cited).toEqual([3]);
  });

  it('lists an invented sentence in unsupported and strips its marker', async () => {
    const v = await verifyCitations(`${S_TOWNSHIP}[1]。${S_INVENTED}[1]。`, PASSAGES, null);
    expect(v.unsupported).toEqual([`${S_INVENTED}。`]);
    expect(v.answer).toBe(`${S_TOWNSHIP}[1]。${S_INVENTED}。`);
    expect(v.cited).toEqual([1]);
    expectConsistent(v);
  });

  it('handles markers written after the full stop ("…。[2]")', async () => {
    const v = await verifyCitations(`${S_TOWNSHIP}。[1]${S_THREE}。[2]${S_MEETING}。[1]`, PASSAGES, null);
    expect(v.answer).toBe(`${S_TOWNSHIP}[1]。${S_THREE}[2]。${S_MEETING}[3]。`);
    expect(v.cited).toEqual([1, 2, 3]);
    expect(v.unsupported).toEqual([]);
    expectConsistent(v);
  });

  it('handles a marker after the full stop at a line end', async () => {
    const v = await verifyCitations(`- ${S_TOWNSHIP}。[1]\n- ${S_MEETING}。[3]\n`, PASSAGES, null);
    expect(markers(v.answer)).toEqual([1, 3]);
    expect(v.answer).toContain(`${S_TOWNSHIP}[1]。`);
    expect(v.answer).toContain(`${S_MEETING}[3]。`);
    expectConsistent(v);
  });

  it('splits "[1,2]" (and "[1，2]", "[1、2]") into separate markers, dropping the numbers that do not support', async () => {
    const both = '要健全矛盾纠纷排查制度，书记、主任作为联席会议总召集人';
    for (const group of ['[1,3]', '[1，3]', '[1、3]', '[1, 3]']) {
      const v = await verifyCitations(`${both}${group}。`, PASSAGES, null);
      expect(v.answer).toBe(`${both}[1][3]。`);
      expect(v.cited).toEqual([1, 3]);
      expectConsistent(v);
    }
    const v = await verifyCitations(`${S_TOWNSHIP}[1,9]。`, PASSAGES, null);
    expect(v.answer).toBe(`${S_TOWNSHIP}[1]。`);
    expect(v.repaired).toBe(1);
  });

  it('keeps both markers of a sentence that draws one fact from each of two passages', async () => {
    // The prompt asks for exactly this: "一句依据多个段落时写[1][3]".
    const text = '乡镇坚持每半月一排查制度，联席会议至少每两周召开专题会议[1][3]。';
    const v = await verifyCitations(text, PASSAGES, null);
    expect(v.unsupported).toEqual([]);
    expect(v.answer).toBe(text);
    expect(v.cited).toEqual([1, 3]);
  });

  it('drops markers on headings unless they point at a cited passage', async () => {
    const v = await verifyCitations(`## 要点[9]\n\n主要有两点[2]：\n\n- ${S_TOWNSHIP}[1]\n`, PASSAGES, null);
    expect(v.answer).toBe(`## 要点\n\n主要有两点：\n\n- ${S_TOWNSHIP}[1]\n`);
    expect(v.cited).toEqual([1]);
    expectConsistent(v);
  });

  it('never leaves a multi-number marker such as "[1,2]" in the answer (each marker must map to one citation)', async () => {
    // The "[1,2]" sits on a line that is not checked as a claim (it ends with a colon).
    const v = await verifyCitations(`主要有两点[1,2]：\n- ${S_TOWNSHIP}[1]\n- ${S_THREE}[2]\n`, PASSAGES, null);
    expect(v.cited).toEqual([1, 2]);
    expectConsistent(v);
  });

  it('passes an answer with no claims through (no passages, no markers)', async () => {
    expect(await verifyCitations('', PASSAGES, null)).toMatchObject({ answer: '', cited: [], unsupported: [], repaired: 0 });
    const v = await verifyCitations(`${S_TOWNSHIP}[1]。`, [], null);
    expect(v.cited).toEqual([]);
    expect(v.unsupported).toEqual([`${S_TOWNSHIP}。`]);
    expect(markers(v.answer)).toEqual([]);
  });
});

describe('verifyCitations with the real embedder (semantic support)', () => {
  let embedder: TransformersEmbedder;
  let tmp: { dir: string; cleanup: () => void };

  beforeAll(async () => {
    tmp = makeTempDir('yiju-verify-');
    const model = await provisionModel({ modelDir: sharedModelDir(), cacheDir: join(tmp.dir, 'cache'), allowRemote: false });
    embedder = await TransformersEmbedder.load({ model, threads: 2 });
  }, 120_000);
  afterAll(() => tmp?.cleanup());

  it('repairs a paraphrase citing the wrong passage to the passage it paraphrases', async () => {
    const v = await verifyCitations('乡镇每半个月要排查一次矛盾纠纷[3]。', PASSAGES, embedder);
    expect(v.answer).toBe('乡镇每半个月要排查一次矛盾纠纷[1]。');
    expect(v.cited).toEqual([1]);
    expect(v.unsupported).toEqual([]);
  });

  it('still reports an invented sentence as unsupported', async () => {
    const v = await verifyCitations(`${S_TOWNSHIP}[1]。${S_INVENTED}[2]。红烧肉要先焯水再炒糖色[3]。`, PASSAGES, embedder);
    expect(v.unsupported).toEqual([`${S_INVENTED}。`, '红烧肉要先焯水再炒糖色。']);
    expect(v.cited).toEqual([1]);
    expectConsistent(v);
  });

  it('keeps the correct citation of an English sentence (answers to English questions are written in English)', async () => {
    const v = await verifyCitations('Townships must screen for disputes every half month, while cities and counties do it weekly [1].', PASSAGES, embedder, {
      glossary: corpusDomain().glossary,
    });
    expect(v.unsupported).toEqual([]);
    expect(v.cited).toEqual([1]);
    expectConsistent(v);
  });

  it('checks English sentences one by one, like Chinese ones (". " ends a sentence)', async () => {
    const v = await verifyCitations(
      'Petition staff receive a monthly allowance of 500 yuan [1]. Braised pork is first blanched and then glazed with caramel [2].',
      PASSAGES,
      embedder,
      { glossary: corpusDomain().glossary },
    );
    expect(v.unsupported).toHaveLength(2);
    expect(v.unsupported[0]).toMatch(/^Petition staff/u);
    expect(v.unsupported[1]).toMatch(/^Braised pork/u);
    expect(markers(v.answer)).toEqual([]);
  });

  it('does not verify a sentence that contradicts the cited passage (a wrong frequency)', async () => {
    // Passage [1] says townships screen every half month (每半月), not every month.
    const v = await verifyCitations('乡镇每月排查一次矛盾纠纷[1]。', PASSAGES, embedder);
    expect(v.unsupported).toEqual(['乡镇每月排查一次矛盾纠纷。']);
    expect(v.cited).toEqual([]);
  });
});

describe('verifyCitations with stored passage vectors', () => {
  it('embeds only the claims and the passages the index has no vector for, with the same verdicts', async () => {
    const text = `${S_TOWNSHIP}[1]。${S_MEETING}[3]。${S_INVENTED}[2]。`;
    const plain = new FakeEmbedder();
    const expected = await verifyCitations(text, PASSAGES, plain);
    const embedder = new FakeEmbedder();
    // The index holds vectors for passages 1 and 3 (as it would for single-chunk passages).
    const stored = new Map([PASSAGES[0]!, PASSAGES[2]!].map((p) => [p, embedder.vector(p.text)]));
    const got = await verifyCitations(text, PASSAGES, embedder, { storedPassageVector: (p) => stored.get(p) });
    expect(got).toEqual(expected);
    expect(embedder.passageTexts).toEqual(PASSAGES.filter((p) => !stored.has(p)).map((p) => p.text));
  });
});

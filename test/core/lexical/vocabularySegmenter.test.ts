import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JiebaSegmenter } from '../../../src/adapters/segmenters/jieba.js';
import { VocabularySegmenter } from '../../../src/core/lexical/vocabularySegmenter.js';
import { Retriever } from '../../../src/core/retrieve/retriever.js';
import { loadConfig } from '../../../src/node/config.js';
import { createRuntime, type Runtime } from '../../../src/node/runtime.js';
import { REPO_ROOT } from '../../helpers/corpus.js';
import { dataDirWithIndex, e2eEnv } from '../../helpers/e2eIndex.js';
import { corpusDomain } from '../../helpers/domain.js';

describe('VocabularySegmenter (longest match against known terms)', () => {
  const seg = new VocabularySegmenter(['初信初访', '初信', '初访', '信访', '工作', '排查', '矛盾纠纷', '矛盾', '纠纷', 'bge', '2023']);

  it("takes the longest known word and, like jieba's search mode, the known words inside it", () => {
    expect(seg.terms('初信初访怎么处理')).toEqual(['初信初访', '初信', '初访']);
    expect(seg.terms('矛盾纠纷排查工作')).toEqual(['矛盾纠纷', '矛盾', '纠纷', '排查', '工作']);
  });

  it('skips what it does not know, keeps known Latin words and numbers, lower-cases', () => {
    expect(seg.terms('今天天气，BGE 模型 2023 年')).toEqual(['bge', '2023']);
    expect(seg.terms('')).toEqual([]);
    expect(seg.queryTerms('信访工作')).toEqual(seg.terms('信访工作'));
    expect(seg.queryTerms('')).toEqual([]);
  });

  it('keeps unknown stretches of a query, in pairs of characters, so coverage counts what the corpus lacks', () => {
    // 营业执照 is not in the vocabulary: it must still weigh in the question.
    expect(seg.queryTerms('营业执照排查')).toEqual(['营业', '执照', '排查']);
    // A lone unknown character between known words is a fragment, not a term.
    expect(seg.queryTerms('信访和排查')).toEqual(['信访', '排查']);
    // Odd lengths: the last character of an unknown stretch is dropped like any lone one.
    expect(seg.queryTerms('个人所得税')).toEqual(['个人', '所得']);
    // Unknown Latin words and numbers of two or more characters count in queries too.
    expect(seg.queryTerms('passport 信访')).toEqual(['passport', '信访']);
    // Passages keep only known words (unknown ones could match nothing).
    expect(seg.terms('营业执照排查')).toEqual(['排查']);
  });

  it('drops stopwords even when they are in the vocabulary', () => {
    expect(new VocabularySegmenter(['的', '信访']).terms('信访的')).toEqual(['信访']);
  });
});

describe('on the real index: lexical retrieval with the index vocabulary instead of jieba', () => {
  let tmp: Awaited<ReturnType<typeof dataDirWithIndex>>;
  let rt: Runtime;
  beforeAll(async () => {
    tmp = await dataDirWithIndex('yiju-vocab-');
    rt = await createRuntime(loadConfig(e2eEnv(tmp.dir)), { embedder: tmp.embedder });
  }, 180_000);
  afterAll(() => tmp?.cleanup());

  it('finds the same best passage for at least 90% of the development questions (Chinese)', async () => {
    const questions = (JSON.parse(readFileSync(join(REPO_ROOT, 'test/eval/questions.json'), 'utf8')) as { question: string; lang: string }[]).filter(
      (q) => q.lang === 'zh',
    );
    const index = rt.opened.index;
    const vocabulary = new VocabularySegmenter(index.bm25.vocabulary());
    const withJieba = new Retriever(index, rt.embedder, new JiebaSegmenter(corpusDomain().terms), { mode: 'lexical' });
    const withVocabulary = new Retriever(index, rt.embedder, vocabulary, { mode: 'lexical' });
    let same = 0;
    for (const { question } of questions) {
      const [a, b] = await Promise.all([withJieba.retrieve(question, 1), withVocabulary.retrieve(question, 1)]);
      if (a.passages[0]?.chunkId === b.passages[0]?.chunkId) same++;
    }
    expect(questions.length).toBeGreaterThan(40);
    expect(same / questions.length).toBeGreaterThanOrEqual(0.9);
  });
});

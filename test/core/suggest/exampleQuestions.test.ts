import { describe, expect, it } from 'vitest';
import { buildDocument } from '../../../src/core/ingest/document.js';
import { corpusDomain } from '../../helpers/domain.js';

const DOMAIN_TERMS = corpusDomain().terms;
const TEMPLATE = corpusDomain().exampleTemplate;
import { exampleQuestions } from '../../../src/core/suggest/exampleQuestions.js';
import type { Document } from '../../../src/core/types.js';
import { corpusDocuments } from '../../helpers/corpus.js';
import { seededRandom } from '../../helpers/random.js';

const doc = (name: string, text: string): Document => buildDocument({ name: `${name}.txt`, raw: text });

/** The term a question asks about: 讲话对“<term>”有哪些要求？ */
const termOf = (question: string): string => {
  const m = /^讲话对“(.+)”有哪些要求？$/u.exec(question);
  if (!m) throw new Error(`not an example question: ${question}`);
  return m[1]!;
};

describe('exampleQuestions over the real corpus', () => {
  const corpus = corpusDocuments();

  it('asks four questions by default, each about a domain term of at least four characters that the speeches use', () => {
    const questions = exampleQuestions(corpus, DOMAIN_TERMS, TEMPLATE);
    expect(questions).toHaveLength(4);
    for (const q of questions) {
      const term = termOf(q);
      expect(DOMAIN_TERMS).toContain(term);
      expect([...term].length).toBeGreaterThanOrEqual(4);
      expect(
        corpus.some((d) => d.text.includes(term)),
        term,
      ).toBe(true);
    }
  });

  it('is deterministic: the same questions every time, whatever the order of documents and terms', () => {
    const once = exampleQuestions(corpus, DOMAIN_TERMS, TEMPLATE);
    expect(exampleQuestions(corpus, DOMAIN_TERMS, TEMPLATE)).toEqual(once);
    expect(exampleQuestions([...corpus].reverse(), [...DOMAIN_TERMS].reverse(), TEMPLATE)).toEqual(once);
    for (const seed of [1, 2, 3]) {
      const r = seededRandom(seed);
      const shuffled = DOMAIN_TERMS.map((t) => [r(), t] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([, t]) => t);
      expect(exampleQuestions(corpus, shuffled, TEMPLATE), `seed ${seed}`).toEqual(once);
    }
  });

  it('never picks a term inside another chosen one, and has no duplicates', () => {
    const terms = exampleQuestions(corpus, DOMAIN_TERMS, TEMPLATE, 12).map(termOf);
    expect(terms.length).toBeGreaterThan(4);
    expect(new Set(terms).size).toBe(terms.length);
    for (const a of terms) for (const b of terms) if (a !== b) expect(a.includes(b), `${a} contains ${b}`).toBe(false);
  });

  it('honours the count, and a count larger than the eligible terms gives them all', () => {
    const all = exampleQuestions(corpus, DOMAIN_TERMS, TEMPLATE, 1000);
    for (const n of [1, 2, 3, 6]) {
      const questions = exampleQuestions(corpus, DOMAIN_TERMS, TEMPLATE, n);
      expect(questions).toHaveLength(n);
      // A smaller count is a prefix of a larger one (the same ranking).
      expect(questions).toEqual(all.slice(0, n));
    }
    expect(all.length).toBeLessThan(DOMAIN_TERMS.length);
  });

  it('prefers terms used by more speeches (the top pick is in the most documents)', () => {
    const counts = (t: string) => corpus.filter((d) => d.text.includes(t)).length;
    const eligible = DOMAIN_TERMS.filter((t) => [...t].length >= 4 && counts(t) > 0);
    const best = Math.max(...eligible.map(counts));
    const [first] = exampleQuestions(corpus, DOMAIN_TERMS, TEMPLATE, 1);
    expect(counts(termOf(first!))).toBe(best);
  });
});

describe('exampleQuestions on small inputs', () => {
  it('an empty corpus (or no terms, or terms nobody uses) gives no questions', () => {
    expect(exampleQuestions([], DOMAIN_TERMS, TEMPLATE)).toEqual([]);
    expect(exampleQuestions(corpusDocuments(), [], TEMPLATE)).toEqual([]);
    expect(exampleQuestions([doc('a', '今天天气很好。')], ['矛盾纠纷', '信访秩序'], TEMPLATE)).toEqual([]);
  });

  it('ranks by how many documents use a term, then by uses, then by the term', () => {
    const docs = [doc('a', '矛盾纠纷，矛盾纠纷，矛盾纠纷。信访秩序。'), doc('b', '信访秩序要好。'), doc('c', '信访条例。信访条例。')];
    // 信访秩序: 2 documents; 矛盾纠纷: 1 document, 3 uses; 信访条例: 1 document, 2 uses.
    expect(exampleQuestions(docs, ['信访条例', '矛盾纠纷', '信访秩序'], TEMPLATE)).toEqual([
      '讲话对“信访秩序”有哪些要求？',
      '讲话对“矛盾纠纷”有哪些要求？',
      '讲话对“信访条例”有哪些要求？',
    ]);
    // A tie in documents and uses is broken by the term, so the order of the term list does not matter.
    const tie = [doc('a', '信访秩序。信访条例。')];
    expect(exampleQuestions(tie, ['信访秩序', '信访条例'], TEMPLATE)).toEqual(exampleQuestions(tie, ['信访条例', '信访秩序'], TEMPLATE));
  });

  it('skips terms shorter than four characters (counted in code points) however common', () => {
    const docs = [doc('a', '信访信访信访。初信初访。𠮷𠮷𠮷。𠮷𠮷𠮷𠮷。')];
    // '𠮷𠮷𠮷' is six UTF-16 units but three characters.
    expect(exampleQuestions(docs, ['信访', '𠮷𠮷𠮷', '初信初访', '𠮷𠮷𠮷𠮷'], TEMPLATE, 10).map(termOf).sort()).toEqual(['初信初访', '𠮷𠮷𠮷𠮷'].sort());
  });

  it('skips a term inside (or containing) one already chosen', () => {
    const docs = [doc('a', '初信初访事项要办好。初信初访要及时。'), doc('b', '初信初访很重要。')];
    // 初信初访 is in both documents and is chosen first; 初信初访事项 contains it.
    expect(exampleQuestions(docs, ['初信初访事项', '初信初访'], TEMPLATE, 10)).toEqual(['讲话对“初信初访”有哪些要求？']);
    // Every use of 信访秩序 is inside 维护信访秩序: a tie, broken by the term; only one of the two is asked about.
    const nested = [doc('a', '要维护信访秩序。'), doc('b', '维护信访秩序。')];
    const picked = exampleQuestions(nested, ['维护信访秩序', '信访秩序'], TEMPLATE, 10).map(termOf);
    expect(picked).toHaveLength(1);
    expect(['维护信访秩序', '信访秩序']).toContain(picked[0]);
    expect(exampleQuestions(nested, ['信访秩序', '维护信访秩序'], TEMPLATE, 10).map(termOf)).toEqual(picked);
  });
});

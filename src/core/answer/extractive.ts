import type { Domain } from '../domain/pack.js';
import type { Embedder, Segmenter } from '../ports.js';
import type { CorpusIndex } from '../retrieve/corpusIndex.js';
import { memoSegmenter } from '../lexical/memoSegmenter.js';
import { expandToChinese } from '../retrieve/glossary.js';
import { composeByParts, composeExtractive, composePartial, partialStatement, type PartAnswer } from './compose.js';
import { splitParts, PART_CANDIDATES, UNANSWERED_PART } from './multiPart.js';
import { missingDetail } from './answerability.js';
import type { Grounded, Grounding } from './grounding.js';
import { answerLanguage } from './language.js';
import { answeringClause, selectSentences, type ScoredSentence, type SelectionOptions } from './sentenceSelection.js';
import { completeLeadIn } from './leadIn.js';
import { sameSpan, strictlyInside, type Document } from '../types.js';
import { timed, type AnswerEvent, type AnswerOptions, type Answerer, type AnswerResult } from './types.js';

export interface ExtractiveDeps {
  grounding: Grounding;
  index: CorpusIndex;
  /** null: no model in this runtime; sentences are chosen by their words (Workers bundled mode). */
  embedder: Embedder | null;
  segmenter: Segmenter;
  domain: Domain;
}

/**
 * How many sentences an answer quotes, and how close to the best a supporting
 * one must score. A multi-part question gets one more. Tuned on the
 * development set (test/eval/questions.json, key facts in answers).
 */
export const EXTRACTIVE_SELECTION: { single: SelectionOptions; multiPart: SelectionOptions } = {
  single: { maxSentences: 4, relativeFloor: 0.85 },
  multiPart: { maxSentences: 5, relativeFloor: 0.85 },
};

/** A question with several question marks, or one asking for things "respectively" or "and …", has several parts. */
const MULTI_PART = /分别|以及|和.+各|and/iu;
const isMultiPart = (question: string) => (question.match(/[？?]/gu) ?? []).length > 1 || MULTI_PART.test(question);

/** Splits Markdown into streaming pieces at line and sentence ends. */
export function toDeltas(markdown: string): string[] {
  return markdown.match(/[^\n。！？；]*(?:[\n。！？；]|\[\d+\])+|[^\n。！？；]+$/gu) ?? [markdown];
}

/**
 * The embedded default: answers by quoting the most relevant sentences of the
 * retrieved passages, each cited to its exact span. No network, no key.
 */
export class ExtractiveAnswerer implements Answerer {
  /** The segmenter for candidate sentences, which recur across answers. */
  private readonly sentenceSegmenter: Segmenter;

  constructor(private readonly deps: ExtractiveDeps) {
    this.sentenceSegmenter = memoSegmenter(deps.segmenter);
  }

  async answer(question: string, options: AnswerOptions = {}): Promise<AnswerResult> {
    const started = performance.now();
    const retrieval = await this.deps.grounding.retrieve(question, options);
    const retrieved = performance.now();
    return timed(await this.fromRetrieval(question, retrieval), started, retrieved);
  }

  /** The quoted answer to a retrieval: in full, in part (saying what is missing), or the refusal. */
  async fromRetrieval(question: string, retrieval: Grounded): Promise<AnswerResult> {
    const lang = answerLanguage(question);
    const base = { mode: 'extractive' as const, standaloneQuestion: retrieval.standalone };
    const declined = this.deps.grounding.declined(question, retrieval);
    if (declined) return this.deps.grounding.refusal(question, retrieval, 'extractive', declined.reason);
    // English questions are matched against the Chinese sentences through their domain terms too.
    const translation = retrieval.query.split(' → ')[1] ?? expandToChinese(retrieval.standalone, this.deps.domain.glossary);
    const selectionQuery = lang === 'en' ? `${translation} ${retrieval.standalone}` : retrieval.standalone;
    const idf = (t: string) => this.deps.index.bm25.termWeight(t);
    const sentences = await this.select(
      selectionQuery,
      question,
      retrieval,
      isMultiPart(retrieval.standalone) ? EXTRACTIVE_SELECTION.multiPart : EXTRACTIVE_SELECTION.single,
    );
    const verdict = this.deps.grounding.verdict(question, retrieval, sentences);
    if (verdict.answerable === 'no') return this.deps.grounding.refusal(question, retrieval, 'extractive', verdict.reason);
    // A question of several questions is answered part by part (unless what it names does not match at all).
    const parts = lang === 'zh' ? splitParts(retrieval.standalone) : [];
    const answers: PartAnswer[] = [];
    if (parts.length > 1 && !(verdict.answerable === 'partial' && verdict.reason === 'constraint_mismatch'))
      for (const part of parts) answers.push(await this.answerPart(part, retrieval, answers));
    const missing = answers.find((a) => 'missing' in a);
    // Part by part when a part is unanswered, or when the whole is answered; a whole found wanting with every part
    // answered on its own keeps the plain partial answer below.
    if (answers.length && (missing || verdict.answerable === 'yes')) {
      const { answer, citations } = composeByParts(answers, sentences, lang, this.deps.domain);
      return {
        ...base,
        answer,
        grounded: true,
        ...(missing ? { answerable: 'partial' as const, reason: 'detail_not_given' as const } : { answerable: 'yes' as const }),
        citations: this.deps.grounding.cited(citations),
      };
    }
    if (verdict.answerable === 'partial') {
      const subject = subjectOf(selectionQuery, sentences[0]!.text, this.sentenceSegmenter, idf);
      const { answer, citations } = composePartial(sentences, lang, this.deps.domain, partialStatement(verdict, lang, this.deps.domain, subject));
      return { ...base, answer, grounded: true, answerable: 'partial', reason: verdict.reason, citations: this.deps.grounding.cited(citations) };
    }
    const { answerTypes, details } = this.deps.domain;
    const clause = answeringClause(selectionQuery, sentences[0]!, { segmenter: this.sentenceSegmenter, idf, answerTypes, details });
    const { answer, citations } = composeExtractive(sentences, lang, this.deps.domain, clause, verdict.answerable === 'yes' ? verdict.corrects : undefined);
    if (!citations.length) return this.deps.grounding.refusal(question, retrieval, 'extractive');
    return { ...base, answer, grounded: true, answerable: 'yes', citations: this.deps.grounding.cited(citations) };
  }

  /** The sentences of the retrieved passages that best answer a query, lead-ins completed. */
  private async select(query: string, question: string, retrieval: Grounded, options: SelectionOptions): Promise<ScoredSentence[]> {
    const selected = await selectSentences(
      query,
      retrieval.passages,
      this.deps.index.documents,
      {
        embedder: this.deps.embedder,
        segmenter: this.sentenceSegmenter,
        idf: (t) => this.deps.index.bm25.termWeight(t),
        storedVector: (span) => this.deps.index.sentenceVector(span),
        nonAnswers: this.deps.domain.nonAnswers,
        prefer: [
          ...this.deps.domain.details.filter((t) => t.asks.test(question)).map((t) => t.givenBy),
          ...this.deps.domain.prefer.filter((t) => t.asks.test(question)).map((t) => t.shownBy),
        ],
      },
      options,
    );
    return completeLeadIns(selected, this.deps.index.documents);
  }

  /**
   * One part of a multi-part question: of the sentences that best answer it (scored against the part with the
   * whole question as its context: parts are often elliptical, "要不要收钱？"), the first that gives any detail
   * the part asks for, with the clause that answers (not one an earlier part already quotes); else what is missing.
   */
  private async answerPart(part: string, retrieval: Grounded, earlier: readonly PartAnswer[]): Promise<PartAnswer> {
    const candidates = await this.select(`${part} ${retrieval.standalone}`, part, retrieval, { maxSentences: PART_CANDIDATES, relativeFloor: 0 });
    const { details, answerTypes } = this.deps.domain;
    const idf = (t: string) => this.deps.index.bm25.termWeight(t);
    // Each quote is shown once: a line that already answers an earlier part is not this part's answer.
    const taken = (line: ScoredSentence) => earlier.some((a) => 'line' in a && sameSpan(a.line, line));
    let missing: { zh: string; en: string } | null = null;
    for (const sentence of candidates) {
      const detail = missingDetail(part, [sentence], details) ?? answerTypes.find((t) => t.asks.test(part) && !t.answeredBy.test(sentence.text));
      if (detail) {
        missing ??= detail.label;
        continue;
      }
      const line = answeringClause(part, sentence, { segmenter: this.sentenceSegmenter, idf, answerTypes, details }) ?? sentence;
      if (!taken(line)) return { part, line, sentence };
    }
    return { part, missing: missing ?? UNANSWERED_PART };
  }

  async *stream(question: string, options: AnswerOptions = {}): AsyncIterable<AnswerEvent> {
    const result = await this.answer(question, options);
    yield { type: 'citations', citations: result.citations };
    for (const text of toDeltas(result.answer)) {
      if (options.signal?.aborted) return;
      yield { type: 'delta', text };
    }
    yield { type: 'done', result };
  }
}

/** The question's weightiest term (highest IDF) that a sentence contains: what the documents do mention. */
function subjectOf(question: string, sentence: string, segmenter: Segmenter, idf: (t: string) => number): string | null {
  const inSentence = new Set(segmenter.terms(sentence));
  const terms = [...new Set(segmenter.queryTerms(question))].filter((t) => inSentence.has(t) && /\p{Script=Han}{2}/u.test(t));
  return terms.sort((a, b) => idf(b) - idf(a))[0] ?? null;
}

/** Each lead-in extended over what completes it; a quoted sentence the extension now holds is not quoted again. */
function completeLeadIns(sentences: ScoredSentence[], documents: ReadonlyMap<string, Document>): ScoredSentence[] {
  const completed = sentences.map((s) => {
    const doc = documents.get(s.docId);
    return doc ? completeLeadIn(s, doc) : s;
  });
  return completed.filter((s, i) => !completed.some((o, j) => j !== i && strictlyInside(s, o)));
}

import type { Domain } from '../domain/pack.js';
import { ChatModelError, type ChatModel, type Embedder } from '../ports.js';
import type { Passage } from '../types.js';
import type { ExtractiveAnswerer } from './extractive.js';
import { rewriteFollowUp } from './followUp.js';
import type { Grounded, Grounding } from './grounding.js';
import { answerLanguage } from './language.js';
import { buildAnswerMessages, buildRewriteMessages, buildTranslateMessages, correctionNote, gapNote } from './prompt.js';
import type { Verdict } from './answerability.js';
import { timed, type AnswerEvent, type AnswerOptions, type Answerer, type AnswerResult, type Citation } from './types.js';
import { verifyCitations } from './verify.js';

export interface GenerativeDeps {
  chat: ChatModel;
  /** Retrieval and the refusal decision, before any model call. */
  grounding: Grounding;
  /** The fallback answer. */
  extractive: ExtractiveAnswerer;
  domain: Domain;
  /** For semantic citation support (null: lexical support only). */
  embedder: Embedder | null;
}

type Retrieved = Grounded;

/** How a model says the passages do not answer (the prompt asks for the first phrasing). */
const NO_CONTENT =
  /没有(?:找到)?相关内容|资料(?:中)?(?:没有|未)(?:提到|涉及|包含)|do(?:es)? not (?:contain|cover|answer|mention)|no relevant (?:content|information)/iu;

/**
 * If more than this share of an answer's claims is unsupported by the
 * passages, the quoted answer replaces it. A rule, not a tuned value: a
 * model answer most of whose claims nothing supports is not shown (pinned by
 * test/core/answer/generative.test.ts).
 */
export const MAX_UNSUPPORTED_SHARE = 0.5;

/** Why a chat model call failed, in the words of `fallback`. */
const reason = (err: unknown) => {
  if (err instanceof ChatModelError && err.status) return `the language model answered HTTP ${err.status}`;
  if (err instanceof ChatModelError && err.kind === 'timeout') return 'the language model timed out';
  return `the language model failed (${String((err as Error)?.message ?? err).split('\n')[0]})`;
};

/**
 * Answers with an OpenAI-compatible LLM from the retrieved passages, then
 * verifies every citation. "Not in the corpus" is decided from retrieval
 * before any LLM call; any LLM failure falls back to the extractive answer.
 */
export class GenerativeAnswerer implements Answerer {
  constructor(private readonly deps: GenerativeDeps) {}

  /** Follow-ups are rewritten by the LLM; the deterministic heuristic is the fallback. */
  private async standalone(question: string, options: AnswerOptions): Promise<string> {
    if (!options.history?.some((t) => t.role === 'user')) return question.trim();
    try {
      const text = (await this.deps.chat.complete(buildRewriteMessages(question, options.history), { signal: options.signal })).trim();
      if (text && text.length <= 500) return text.split('\n')[0]!.trim();
    } catch {
      // fall through
    }
    return rewriteFollowUp(question, options.history, this.deps.domain.levels);
  }

  /** The model's Chinese search query for a question in another language, or null when it gives none. */
  private async translate(question: string, options: AnswerOptions): Promise<string | null> {
    try {
      const text = (await this.deps.chat.complete(buildTranslateMessages(question, this.deps.domain), { signal: options.signal }))
        .trim()
        .split('\n')[0]!
        .trim();
      return /\p{Script=Han}/u.test(text) && text.length <= 500 ? text : null;
    } catch {
      return null;
    }
  }

  /** The question the model answers: the standalone rewrite, except that a translated question is answered as asked. */
  private asked(question: string, retrieval: Retrieved): string {
    const translated = !/\p{Script=Han}/u.test(question) && /\p{Script=Han}/u.test(retrieval.standalone);
    return translated ? question.trim() : retrieval.standalone;
  }

  /**
   * Retrieval for the question. A question in another language than the documents' is first retrieved offline
   * (through the bilingual lexicon): when that already says the documents are not about it, no model is called;
   * otherwise the model rewrites it into a Chinese search query, and retrieval uses that.
   */
  private retrieve = async (question: string, options: AnswerOptions): Promise<Retrieved> => {
    const standalone = await this.standalone(question, options);
    const offline = await this.deps.grounding.retrieve(question, options, standalone);
    if (answerLanguage(question) === 'zh' || /\p{Script=Han}/u.test(standalone)) return offline;
    if (this.deps.grounding.declined(question, offline)) return offline;
    const zh = await this.translate(standalone, options);
    return zh ? this.deps.grounding.retrieve(question, options, zh) : offline;
  };

  /** What the model is told the passages do not give (the statement a partial answer opens with), or undefined. */
  /** The figure a yes/no question asserted that the speech does not state, as the model is told to correct it. */
  private correction(verdict: Verdict): string | undefined {
    return verdict.answerable === 'yes' && verdict.corrects ? correctionNote(verdict.corrects, this.deps.domain) : undefined;
  }

  private unanswered(verdict: Verdict): string | undefined {
    return verdict.answerable === 'partial' ? gapNote(verdict, this.deps.domain) : undefined;
  }

  private async finish(question: string, retrieval: Retrieved, raw: string, verdict: Verdict = { answerable: 'yes' }): Promise<AnswerResult> {
    const passages = retrieval.passages;
    if (!raw.trim()) return this.fallback(question, retrieval, 'the language model returned an empty answer');
    const verified = await verifyCitations(raw, passages, this.deps.embedder, {
      storedPassageVector: (p) => this.deps.grounding.storedPassageVector(p),
      glossary: this.deps.domain.glossary,
    });
    if (!verified.cited.length && NO_CONTENT.test(raw)) {
      // The model found no answer in the passages: say so plainly, with what the corpus covers.
      return this.deps.grounding.refusal(question, retrieval, 'generative', 'not_in_corpus');
    }
    if (!verified.cited.length || verified.unsupported.length > MAX_UNSUPPORTED_SHARE * verified.claims) {
      return this.fallback(question, retrieval, "the language model's answer was not supported by the passages");
    }
    const citations = this.deps.grounding.cited(verified.cited.map((n) => toCitation(n, passages[n - 1]!)));
    return {
      answer: verified.answer,
      mode: 'generative',
      grounded: true,
      ...(verdict.answerable === 'partial' ? { answerable: 'partial' as const, reason: verdict.reason } : { answerable: 'yes' as const }),
      citations,
      ...(verified.unsupported.length ? { unsupported: verified.unsupported } : {}),
      standaloneQuestion: retrieval.standalone,
    };
  }

  private async fallback(question: string, retrieval: Retrieved, why: string): Promise<AnswerResult> {
    return { ...(await this.deps.extractive.fromRetrieval(question, retrieval)), fallback: `${why}; showing quoted passages instead` };
  }

  async answer(question: string, options: AnswerOptions = {}): Promise<AnswerResult> {
    const started = performance.now();
    const retrieval = await this.retrieve(question, options);
    const retrieved = performance.now();
    return timed(await this.answerFrom(question, retrieval, options), started, retrieved);
  }

  private async answerFrom(question: string, retrieval: Retrieved, options: AnswerOptions): Promise<AnswerResult> {
    // Whether the documents answer is decided before the model is called: a refusal or a task never reaches it,
    // and the model is told what the passages do not give.
    const verdict = this.deps.grounding.verdict(question, retrieval);
    if (verdict.answerable === 'no') return this.deps.extractive.fromRetrieval(question, retrieval);
    let raw: string;
    try {
      raw = await this.deps.chat.complete(
        buildAnswerMessages(
          this.asked(question, retrieval),
          retrieval.passages,
          answerLanguage(question),
          this.deps.domain,
          this.unanswered(verdict),
          this.correction(verdict),
        ),
        { signal: options.signal },
      );
    } catch (err) {
      return this.fallback(question, retrieval, reason(err));
    }
    return this.finish(question, retrieval, raw, verdict);
  }

  async *stream(question: string, options: AnswerOptions = {}): AsyncIterable<AnswerEvent> {
    const started = performance.now();
    const retrieval = await this.retrieve(question, options);
    const retrieved = performance.now();
    const verdict = this.deps.grounding.verdict(question, retrieval);
    if (verdict.answerable === 'no') {
      yield* this.replay(timed(await this.deps.extractive.fromRetrieval(question, retrieval), started, retrieved));
      return;
    }
    // The passages the model sees, numbered as its markers will be, before any text.
    yield { type: 'citations', citations: this.deps.grounding.cited(retrieval.passages.map((p, i) => toCitation(i + 1, p))) };
    let raw = '';
    try {
      for await (const piece of this.deps.chat.stream(
        buildAnswerMessages(
          this.asked(question, retrieval),
          retrieval.passages,
          answerLanguage(question),
          this.deps.domain,
          this.unanswered(verdict),
          this.correction(verdict),
        ),
        { signal: options.signal },
      )) {
        raw += piece;
        yield { type: 'delta', text: piece };
      }
    } catch (err) {
      if (options.signal?.aborted) return;
      // done.result.answer replaces whatever was streamed.
      yield { type: 'done', result: timed(await this.fallback(question, retrieval, `${reason(err)} while streaming`), started, retrieved) };
      return;
    }
    yield { type: 'done', result: timed(await this.finish(question, retrieval, raw, verdict), started, retrieved) };
  }

  private async *replay(result: AnswerResult): AsyncIterable<AnswerEvent> {
    yield { type: 'citations', citations: result.citations };
    yield { type: 'delta', text: result.answer };
    yield { type: 'done', result };
  }
}

function toCitation(n: number, p: Passage): Omit<Citation, 'cite'> {
  return { n, docId: p.docId, title: p.title, start: p.start, end: p.end, text: p.text, score: p.score };
}

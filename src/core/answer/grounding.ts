import type { Domain } from '../domain/pack.js';
import type { Segmenter } from '../ports.js';
import { namedSpeeches, speechProfile, withoutSetting, type SpeechProfile } from '../retrieve/namedSpeech.js';
import { ASKS_WHETHER, constraintMismatch, missingDetail, quotedNames, type Evidence, type Verdict } from './answerability.js';
import type { CorpusIndex } from '../retrieve/corpusIndex.js';
import { chunkVectorId } from '../retrieve/corpusIndex.js';
import type { Retriever } from '../retrieve/retriever.js';
import type { Passage, RetrievalResult } from '../types.js';
import { absentTermIn, absentTerms } from './absentTerms.js';
import { composeRefusal } from './compose.js';
import { rewriteFollowUp } from './followUp.js';
import { answerLanguage } from './language.js';
import type { AnswerabilityReason, AnswerMode, AnswerOptions, AnswerResult, Citation } from './types.js';
import { NOT_STATED, sourceInfo, type SourceInfo } from '../ingest/sourceInfo.js';

export type { Verdict } from './answerability.js';

/**
 * A question out of scope whose words the corpus barely knows (less than this share of its IDF
 * matched by a top passage) and that uses none of the domain's terms is off the documents' subject
 * altogether, not merely unanswered by them. A rule for the reason only (it never changes whether a
 * question is answered).
 */
export const OFF_TOPIC_COVERAGE = 0.25;

/**
 * A question naming a speech is answered from it when its best passage ranks among the first `candidates` of all
 * and scores at least `share` of the best passage of all; otherwise the answer says that the named speech does not
 * say it and quotes the one that does. Tuned on test/eval/trust-dev.json (which_speech and adversarial).
 */
export const NAMED_SPEECH = { candidates: 10, share: 0.75 };

/**
 * Retrieval for one question, with the standalone question it used, and the documents the question named by
 * their setting: `matched` when they hold the answer (and were searched alone), false when only others do.
 */
export type Grounded = RetrievalResult & { standalone: string; named?: { docIds: string[]; matched: boolean }; places?: string[] };

export interface GroundingDeps {
  retriever: Retriever;
  index: CorpusIndex;
  domain: Domain;
  segmenter: Segmenter;
}

/**
 * The first step of every answer, whatever writes it: rewrite a follow-up
 * into a standalone question, retrieve, decide whether the corpus answers at
 * all, and say so plainly when it does not.
 */
export class Grounding {
  private readonly sources = new Map<string, SourceInfo>();
  /** The glossary's patterns without the global flag (a global pattern's test() carries state between calls). */
  private readonly glossaryPatterns: readonly RegExp[];

  constructor(private readonly deps: GroundingDeps) {
    this.glossaryPatterns = deps.domain.glossary.map(({ re }) => new RegExp(re.source, 'iu'));
  }

  /** Where a document was given (meeting, level, place, speaker, date) and its copy-ready reference. */
  source(docId: string): SourceInfo {
    let info = this.sources.get(docId);
    if (!info) {
      const doc = this.deps.index.documents.get(docId);
      info = doc
        ? sourceInfo(doc, this.deps.domain)
        : { meeting: NOT_STATED, level: NOT_STATED, place: NOT_STATED, speaker: NOT_STATED, date: NOT_STATED, cite: docId };
      this.sources.set(docId, info);
    }
    return info;
  }

  /** Citations with their copy-ready references. */
  cited<T extends Omit<Citation, 'cite'>>(citations: T[]): (T & { cite: string })[] {
    return citations.map((c) => ({ ...c, cite: this.source(c.docId).cite }));
  }

  /** Retrieval for a (possibly follow-up) question. A chat model may pass its own standalone rewrite. */
  async retrieve(
    question: string,
    options: AnswerOptions = {},
    rewritten = rewriteFollowUp(question, options.history, this.deps.domain.levels),
  ): Promise<Grounded> {
    const standalone = await this.deps.retriever.simplify(rewritten);
    const places = await this.deps.retriever.placesIn(standalone);
    return { ...(await this.search(standalone, options)), standalone, ...(places.length ? { places } : {}) };
  }

  /** Retrieval, within the speech the question names when it names one. */
  private async search(standalone: string, options: AnswerOptions): Promise<RetrievalResult & { named?: Grounded['named'] }> {
    const k = options.topK ?? DEFAULT_TOP_K;
    // A question that names a speech by its setting is searched within it (unless the client chose the documents).
    const named = options.filter?.docIds?.length ? null : namedSpeeches(standalone, this.profiles(), this.deps.domain, this.deps.segmenter);
    if (named) {
      // The named speech holds the answer when its best passage scores close to the best of all (same ranking).
      const all = await this.deps.retriever.retrieve(standalone, Math.max(k, NAMED_SPEECH.candidates));
      const top = all.passages[0];
      const best = all.passages.find((p) => named.includes(p.docId));
      // …and it says every phrase the question quotes that some speech says (“三个明白” asked of a speech that never uses it).
      const saysQuoted = quotedNames(standalone).every((q) => !this.saidBy(q).length || this.saidBy(q).some((id) => named.includes(id)));
      const matched = saysQuoted && (!top || !all.relevance.inScope || (best !== undefined && best.score >= NAMED_SPEECH.share * top.score));
      if (matched) {
        // Searched without the words that name the speech (they would find the passages repeating its name), unless
        // what is left is too little to be in scope on its own ("联席会议由谁召集？" → "由谁召集？").
        const filter = { docIds: named };
        const rest = withoutSetting(standalone, this.deps.domain.speechCues);
        const within = rest === standalone ? null : await this.deps.retriever.retrieve(rest, k, filter);
        const result = within?.relevance.inScope ? within : await this.deps.retriever.retrieve(standalone, k, filter);
        return { ...result, named: { docIds: named, matched } };
      }
      return { ...all, passages: all.passages.slice(0, k), named: { docIds: named, matched } };
    }
    return this.deps.retriever.retrieve(standalone, k, options.filter);
  }

  /** The documents whose text contains a phrase. */
  private saidBy(phrase: string): string[] {
    return [...this.deps.index.documents.values()].filter((d) => d.text.includes(phrase)).map((d) => d.id);
  }

  private profileCache: SpeechProfile[] | null = null;
  private profiles(): SpeechProfile[] {
    this.profileCache ??= [...this.deps.index.documents.values()].map((d) => speechProfile(d.id, d.title, this.source(d.id), this.deps.segmenter));
    return this.profileCache;
  }

  /** Whether a question uses a term of the domain (the pack's terms, or an English glossary entry): it is on the subject. */
  private mentionsSubject(question: string): boolean {
    return this.deps.domain.terms.some((t) => question.includes(t)) || this.glossaryPatterns.some((re) => re.test(question));
  }

  private absentCache: string[] | null = null;
  /** A term of the field (the pack's terms) the question uses that no document does (absentTerms.ts). */
  private absentTermIn(question: string): string | null {
    this.absentCache ??= absentTerms(this.deps.domain.terms, this.deps.index.documents.values(), this.deps.domain.synonyms);
    return absentTermIn(question, this.absentCache);
  }

  /** A question for Yiju's own view or a prediction (the domain pack's speculation patterns): the documents hold neither. */
  isSpeculation(question: string): boolean {
    return this.deps.domain.speculation.patterns.some((re) => re.test(question));
  }

  /** A request to write, translate, role-play or get round the process (the domain pack's task patterns): not a question. */
  isTask(question: string): boolean {
    return this.deps.domain.tasks.patterns.some((re) => re.test(question));
  }

  /**
   * The refusal, before any evidence is weighed: a task, or a question the documents are not about (or with no
   * evidence to quote). Null when the documents are about the question.
   */
  declined(question: string, retrieval: Grounded, evidence = retrieval.passages.length): Extract<Verdict, { answerable: 'no' }> | null {
    // The question as asked and as searched (a follow-up rewritten, traditional characters converted).
    if (this.isTask(question) || this.isTask(retrieval.standalone)) return { answerable: 'no', reason: 'task_not_supported' };
    if (this.absentTermIn(retrieval.standalone) || this.isSpeculation(retrieval.standalone)) return { answerable: 'no', reason: 'not_in_corpus' };
    const { relevance } = retrieval;
    const topical = relevance.inScope || (relevance.topical === true && relevance.missing !== undefined);
    if (topical && retrieval.passages.length && evidence) return null;
    const offTopic = !relevance.missing && relevance.lexicalCoverage < OFF_TOPIC_COVERAGE && !this.mentionsSubject(retrieval.standalone);
    return { answerable: 'no', reason: offTopic ? 'off_topic' : 'not_in_corpus' };
  }

  /**
   * Whether the documents answer the question. Tasks are declined; then retrieval decides whether the documents
   * are about it at all; then the evidence (the sentences an answer would quote; the passages by default) whether
   * it gives the detail asked for and matches the speech, level, year and place the question names.
   */
  verdict(question: string, retrieval: Grounded, evidence: readonly Evidence[] = retrieval.passages): Verdict {
    const declined = this.declined(question, retrieval, evidence.length);
    if (declined) return declined;
    const { relevance } = retrieval;
    const lead = evidence[0]!;
    const source = this.source(lead.docId);
    if (retrieval.named && !retrieval.named.matched) {
      const named = retrieval.named.docIds.map((id) => `《${this.deps.index.documents.get(id)?.title ?? id}》`).join('、');
      return { answerable: 'partial', reason: 'constraint_mismatch', kind: 'speech', named, actual: source.cite.replace(/^据/u, '') };
    }
    const missing = relevance.missing
      ? this.deps.domain.answerTypes.find((t) => t.name === relevance.missing)
      : missingDetail(question, evidence, this.deps.domain.details);
    if (missing) return { answerable: 'partial', reason: 'detail_not_given', detail: missing.label };
    const doc = this.deps.index.documents.get(lead.docId);
    const mismatch = constraintMismatch(question, lead, source, this.deps.domain, { places: retrieval.places, text: doc?.text ?? lead.text });
    // Asked whether a figure is so, the speech stating another answers it: the answer corrects the figure.
    if (mismatch?.kind === 'figure' && ASKS_WHETHER.test(question)) return { answerable: 'yes', corrects: mismatch.named };
    if (mismatch) return { answerable: 'partial', reason: 'constraint_mismatch', ...mismatch };
    return { answerable: 'yes' };
  }

  /** "The documents don't say" (with what they do cover), or for a task, what Yiju does instead. */
  refusal(question: string, retrieval: Grounded, mode: AnswerMode, reason: AnswerabilityReason = 'not_in_corpus'): AnswerResult {
    const lang = answerLanguage(question);
    const answer =
      reason === 'task_not_supported'
        ? this.deps.domain.tasks.reply[lang]
        : this.isSpeculation(retrieval.standalone)
          ? this.deps.domain.speculation.reply[lang]
          : composeRefusal([...this.deps.index.documents.values()], lang, this.deps.domain, {
              missing: retrieval.relevance.missing,
              absent: this.absentTermIn(retrieval.standalone) ?? undefined,
            });
    return { mode, standaloneQuestion: retrieval.standalone, answer, grounded: false, answerable: 'no', reason, citations: [] };
  }

  /** The vector the index stored for a passage that is exactly one chunk (merged passages have none). */
  storedPassageVector(passage: Passage): Float32Array | undefined {
    const chunk = this.deps.index.chunks.get(passage.chunkId);
    return chunk && chunk.start === passage.start && chunk.end === passage.end ? this.deps.index.vectors.get?.(chunkVectorId(chunk.id)) : undefined;
  }
}

/** Passages per answer when neither the request nor the configuration says (YIJU_TOP_K's default). */
export const DEFAULT_TOP_K = 5;

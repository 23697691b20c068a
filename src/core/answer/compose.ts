import type { Domain } from '../domain/pack.js';
import { sameSpan, type Document } from '../types.js';
import type { AnswerLanguage } from './language.js';
import type { ScoredSentence } from './sentenceSelection.js';
import type { Citation } from './types.js';
import type { Verdict } from './answerability.js';
import { NOT_STATED } from '../ingest/sourceInfo.js';

/** The note under an offline answer: the sentences are quotes, not a model's words. */
const note = (domain: Domain) => ({
  zh: `> 离线摘录模式：以上句子均为${domain.documents.zh}原文，未经大模型改写；点击编号可查看出处。`,
  en: `> Offline extractive mode: the sentences above are quoted verbatim from the ${domain.documents.en} (in Chinese); no language model was used. Click a number to see the source.`,
});

/** Quoted sentences as citations numbered [1], [2] … in order (their copy-ready form is added by Grounding.cited). */
const numbered = (sentences: readonly ScoredSentence[]): Omit<Citation, 'cite'>[] =>
  sentences.map((s, i) => ({ n: i + 1, docId: s.docId, title: s.title, start: s.start, end: s.end, text: s.text, score: Number(s.score.toFixed(4)) }));

/** The heading above the quotes. */
const quotedHeading = (lang: AnswerLanguage, domain: Domain) =>
  lang === 'zh' ? `根据${domain.documents.zh}原文：` : `What the ${domain.documents.en} say (quoted in the original Chinese):`;

/**
 * An extractive answer, answer first: one direct line (the clause of the best sentence that answers, or that
 * sentence when it is short), then the evidence: the best sentence whole when the line is a clause of it, and the
 * supporting points in the order they stand in the documents, each cited to its exact span. `corrects`: a figure
 * the question asserted that the documents do not state, said after the direct line.
 */
export function composeExtractive(
  sentences: ScoredSentence[],
  lang: AnswerLanguage,
  domain: Domain,
  clause: ScoredSentence | null = null,
  corrects?: string,
): { answer: string; citations: Omit<Citation, 'cite'>[] } {
  const [lead, ...rest] = sentences;
  if (!lead) return { answer: '', citations: [] };
  const docOrder = new Map<string, number>();
  for (const s of sentences) if (!docOrder.has(s.docId)) docOrder.set(s.docId, docOrder.size);
  rest.sort((a, b) => docOrder.get(a.docId)! - docOrder.get(b.docId)! || a.start - b.start);

  const direct = clause ?? lead;
  const evidence = clause ? [lead, ...rest] : rest;
  const citations = numbered([direct, ...evidence]);
  const correction = corrects
    ? lang === 'zh'
      ? `（${domain.documents.zh || '文档'}中没有“${corrects}”这个数字。）`
      : ` (The ${domain.documents.en} do not state “${corrects}”.)`
    : '';
  const lines: string[] = [`${clause ? `${clause.text}[1]。` : `${lead.text}[1]`}${correction}`];
  if (evidence.length) {
    lines.push('', quotedHeading(lang, domain), '');
    evidence.forEach((s, i) => lines.push(`- ${s.text}[${i + 2}]`));
  }
  lines.push('', note(domain)[lang]);
  return { answer: lines.join('\n'), citations };
}

/** The plain first line of a partial answer: what the documents do not give, or what in the question they do not match. */
export function partialStatement(verdict: Extract<Verdict, { answerable: 'partial' }>, lang: AnswerLanguage, domain: Domain, subject: string | null): string {
  const docs = lang === 'zh' ? domain.documents.zh || '文档' : `the ${domain.documents.en}`;
  if (verdict.reason === 'detail_not_given') {
    if (lang === 'en')
      return `${capitalise(docs)} ${subject ? `mention “${subject}” but ` : ''}do not give ${verdict.detail.en}; what they do say is quoted below.`;
    return `${docs}${subject ? `提到了“${subject}”，但` : ''}没有给出${verdict.detail.zh}；下面是相关原文，供核对。`;
  }
  if (verdict.kind === 'figure')
    return lang === 'en'
      ? `The question says “${verdict.named}”, but the speech quoted below never states that figure: it does not match.`
      : `问题中的“${verdict.named}”，下面原文所在的讲话中没有这个数字，与问题所说不符。`;
  if (lang === 'en') {
    return verdict.kind === 'speech'
      ? `The speech the question names (${verdict.named}) does not say this; the passages below come from ${verdict.actual}.`
      : `The question names “${verdict.named}”, but the passages below come from ${verdict.actual === NOT_STATED ? 'a document that does not say so' : verdict.actual}: they do not match.`;
  }
  return verdict.kind === 'speech'
    ? `问题所指的${verdict.named}没有谈到这一点；下面的原文出自${verdict.actual}。`
    : `问题提到“${verdict.named}”，但下面的原文出自${verdict.actual === NOT_STATED ? `未注明${verdict.named}的${docs}` : verdict.actual}，与问题所说不符。`;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * A partial answer: the plain statement of what is missing first, then the evidence (never presented as the
 * answer), each sentence cited to its exact span.
 */
export function composePartial(
  sentences: ScoredSentence[],
  lang: AnswerLanguage,
  domain: Domain,
  statement: string,
): { answer: string; citations: Omit<Citation, 'cite'>[] } {
  const citations = numbered(sentences);
  const lines = [statement, '', quotedHeading(lang, domain), ''];
  sentences.forEach((s, i) => lines.push(`- ${s.text}[${i + 1}]`));
  lines.push('', note(domain)[lang]);
  return { answer: lines.join('\n'), citations };
}

/** At most this many quotes under the part-by-part lines (more only when the parts' own sentences need them). */
const MAX_SUPPORTING_QUOTES = 3;

/** One part of a multi-part question: its answering line (a clause, or the sentence) and the whole sentence, or what is missing. */
export type PartAnswer = { part: string; line: ScoredSentence; sentence: ScoredSentence } | { part: string; missing: { zh: string; en: string } };

/**
 * A multi-part answer, part by part: each part with the clause that answers it, or, for a part the documents do
 * not answer, what they do not give (first, when any, a plain statement of which part is unanswered); then the
 * quoted sentences (the parts' whole sentences and the other supporting ones), each cited once.
 */
export function composeByParts(
  parts: PartAnswer[],
  support: ScoredSentence[],
  lang: AnswerLanguage,
  domain: Domain,
): { answer: string; citations: Omit<Citation, 'cite'>[] } {
  const docs = lang === 'zh' ? domain.documents.zh || '文档' : `the ${domain.documents.en}`;
  const cited: ScoredSentence[] = [];
  const marker = (s: ScoredSentence) => {
    let i = cited.findIndex((c) => sameSpan(c, s));
    if (i < 0) i = cited.push(s) - 1;
    return `[${i + 1}]`;
  };
  const lines: string[] = [];
  const unanswered = parts.filter((p) => 'missing' in p);
  if (unanswered.length) {
    const which = unanswered.map((p) => `“${p.part}”`).join(lang === 'zh' ? '、' : ', ');
    lines.push(lang === 'zh' ? `其中${which}，${docs}没有回答。` : `${capitalise(docs)} do not answer ${which}.`, '');
  }
  parts.forEach((p, i) => {
    const body =
      'missing' in p
        ? lang === 'zh'
          ? `${docs}没有给出${p.missing.zh}。`
          : `${capitalise(docs)} do not give ${p.missing.en}.`
        : `${p.line.text}${marker(p.line)}${/[。！？]$/u.test(p.line.text) ? '' : '。'}`;
    lines.push(`${i + 1}. ${p.part} —— ${body}`);
  });
  const evidence: ScoredSentence[] = [];
  const wholeSentences = parts.flatMap((p) => ('missing' in p || sameSpan(p.line, p.sentence) ? [] : [p.sentence]));
  for (const s of [...wholeSentences, ...support]) {
    if (evidence.length >= Math.max(MAX_SUPPORTING_QUOTES, wholeSentences.length)) break;
    if (!evidence.some((e) => sameSpan(e, s)) && !cited.some((c) => sameSpan(c, s))) evidence.push(s);
  }
  if (evidence.length) {
    lines.push('', quotedHeading(lang, domain), '');
    for (const s of evidence) lines.push(`- ${s.text}${marker(s)}`);
  }
  lines.push('', note(domain)[lang]);
  return { answer: lines.join('\n'), citations: numbered(cited) };
}

/**
 * A plain "the documents don't say" with what the corpus does cover: the domain pack's summary when it has one, and
 * the documents' titles. `missing` names the answer type no passage provides; `absent`, the field's term the question
 * uses that no document does.
 */
export function composeRefusal(
  documents: Document[],
  lang: AnswerLanguage,
  domain: Domain,
  { missing, absent }: { missing?: string; absent?: string } = {},
): string {
  const titles = documents.slice(0, 8).map((d) => `- ${d.title}`);
  const type = missing ? domain.answerTypes.find((t) => t.name === missing) : undefined;
  const { zh, en } = domain.documents;
  if (lang === 'en') {
    const why = absent ? ` (none of them mentions “${absent}”)` : missing ? ` (none of them states ${type?.label.en ?? missing})` : '';
    return [
      `The ${en} in Yiju's corpus do not answer this question${why}, so there is nothing to quote.`,
      '',
      domain.coverage?.en ?? `The ${en}:`,
      '',
      ...titles,
    ].join('\n');
  }
  const why = absent ? `（${zh || '资料'}中没有提到“${absent}”）` : missing ? `（${zh || '资料'}中没有提到${type?.label.zh ?? missing}）` : '';
  return [`现有${zh}资料中没有找到相关内容${why}，无法依据原文回答这个问题。`, '', domain.coverage?.zh ?? `现有${zh || '文档'}：`, '', ...titles].join('\n');
}

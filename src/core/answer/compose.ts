import type { Document } from '../types.js';
import type { AnswerLanguage } from './language.js';
import type { ScoredSentence } from './sentenceSelection.js';
import type { Citation } from './types.js';

const NOTE = {
  zh: '> 离线摘录模式：以上句子均为讲话原文，未经大模型改写；点击编号可查看出处。',
  en: '> Offline extractive mode: the sentences above are quoted verbatim from the speeches (in Chinese); no language model was used. Click a number to see the source.',
};

/**
 * An extractive answer: the most direct sentence first, then the supporting
 * points in the order they appear in the speeches, each cited to its exact span.
 */
export function composeExtractive(sentences: ScoredSentence[], lang: AnswerLanguage): { answer: string; citations: Citation[] } {
  const [lead, ...rest] = sentences;
  if (!lead) return { answer: '', citations: [] };
  const docOrder = new Map<string, number>();
  for (const s of sentences) if (!docOrder.has(s.docId)) docOrder.set(s.docId, docOrder.size);
  rest.sort((a, b) => docOrder.get(a.docId)! - docOrder.get(b.docId)! || a.start - b.start);

  const citations: Citation[] = [lead, ...rest].map((s, i) => ({
    n: i + 1, docId: s.docId, title: s.title, start: s.start, end: s.end, text: s.text, score: Number(s.score.toFixed(4)),
  }));
  const lines: string[] = [lang === 'zh' ? '根据讲话原文：' : 'What the speeches say (quoted in the original Chinese):', '', `${lead.text}[1]`];
  if (rest.length) {
    lines.push('', lang === 'zh' ? '相关要求：' : 'Related points:', '');
    rest.forEach((s, i) => lines.push(`- ${s.text}[${i + 2}]`));
  }
  lines.push('', NOTE[lang]);
  return { answer: lines.join('\n'), citations };
}

const MISSING_ZH: Record<string, string> = { 'a number of days': '具体天数', 'a length of time': '具体期限或时长' };

/** A plain "the speeches don't say" with what the corpus does cover. */
export function composeRefusal(documents: Document[], lang: AnswerLanguage, missing?: string): string {
  const titles = documents.slice(0, 8).map((d) => `- ${d.title}`);
  if (lang === 'en') {
    return [
      `The speeches in Yiju's corpus do not answer this question${missing ? ` (none of them states ${missing})` : ''}, so there is nothing to quote.`,
      '',
      'They cover petition work (信访): handling first visits (初信初访), who is accountable, screening and resolving disputes, channels such as arbitration and litigation, and order in petitioning. The speeches:',
      '',
      ...titles,
    ].join('\n');
  }
  return [
    `现有讲话资料中没有找到相关内容${missing ? `（讲话中没有提到${MISSING_ZH[missing] ?? missing}）` : ''}，无法依据原文回答这个问题。`,
    '',
    '这些讲话主要涉及信访工作：初信初访的处理、信访工作责任与追责、矛盾纠纷排查化解、诉求分类和依法处理、信访秩序等。可以试着问：“初信初访应该怎么处理？”“乡镇多久排查一次矛盾纠纷？”现有讲话：',
    '',
    ...titles,
  ].join('\n');
}

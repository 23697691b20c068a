import { isMostlyLatin } from '../retrieve/query.js';

export type AnswerLanguage = 'zh' | 'en';

/** Answers are in Chinese unless the question is written in a Latin-script language (answered in English). */
export const answerLanguage = (question: string): AnswerLanguage => (isMostlyLatin(question) ? 'en' : 'zh');

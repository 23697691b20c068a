import { isMostlyLatin } from '../retrieve/query.js';

export type AnswerLanguage = 'zh' | 'en';

/** A Latin-script word this long at least: one or two letters ("a", "ok") do not say what language a question is in. */
const LATIN_WORD = /\p{Script=Latin}{3,}/u;

/**
 * Answers are in Chinese unless the question is written in a Latin-script language (answered in English): mostly
 * Latin letters, with at least one word of three letters.
 */
export const answerLanguage = (question: string): AnswerLanguage => (isMostlyLatin(question) && LATIN_WORD.test(question) ? 'en' : 'zh');

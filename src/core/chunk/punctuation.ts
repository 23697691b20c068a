/** Punctuation that ends a sentence in Chinese (and Western) text. */
export const SENTENCE_ENDERS = '。！？!?；;';
/** Characters that belong to the end of the preceding clause: closing quotes and brackets, enders, commas. */
export const TRAILING = '。！？!?；;，,、：:”’」』）)】》〉…—';

export const isTrailing = (ch: string | undefined): boolean => ch !== undefined && TRAILING.includes(ch);

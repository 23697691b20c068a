/**
 * Stopwords: words of the language (Chinese and English function words, and
 * the words of speech-making itself) that carry no retrieval signal. Terms of
 * a subject belong in its domain pack, not here.
 */
/** Words that carry no retrieval signal in questions or passages. */
export const STOPWORDS: ReadonlySet<string> = new Set([
  '的', '了', '和', '与', '及', '或', '是', '在', '有', '也', '都', '就', '要', '把', '对', '为', '从', '被', '将', '以', '而',
  '之', '其', '这', '那', '这些', '那些', '这个', '那个', '我', '我们', '你', '你们', '他', '他们', '它', '大家', '同志', '同志们',
  '一', '一个', '一些', '不', '没有', '吗', '呢', '吧', '啊', '呀', '么', '什么', '怎么', '怎样', '如何', '哪些', '哪个', '哪',
  '为什么', '多少', '几', '是否', '还是', '请问', '请', '一下', '应该', '应当', '需要', '可以', '能', '会', '该', '上', '中', '下',
  '里', '们', '等', '等等', '着', '过', '给', '让', '向', '到', '来', '去', '说', '讲', '提到', '提出', '讲话', '里面', '方面',
  'the', 'a', 'an', 'of', 'to', 'in', 'on', 'for', 'and', 'or', 'is', 'are', 'be', 'what', 'which', 'who', 'how', 'does', 'do',
  'did', 'should', 'must', 'with', 'by', 'about', 'that', 'this', 'it', 'as', 'at', 'from', 'when', 'why', 'can',
]);

const PUNCT_OR_SPACE = /^[\s\p{P}\p{S}]+$/u;

/** Lower-cases and drops punctuation, whitespace and stopwords. */
export function normaliseTerms(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of raw) {
    const term = t.trim().toLowerCase();
    if (!term || PUNCT_OR_SPACE.test(term) || STOPWORDS.has(term)) continue;
    out.push(term);
  }
  return out;
}

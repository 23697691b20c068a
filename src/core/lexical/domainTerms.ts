/**
 * Terms of petition work (信访) that a general-purpose segmenter would split
 * apart. Loaded into the segmenter as a user dictionary so that, e.g.,
 * 初信初访 or 三到位一处理 stay one searchable term.
 */
export const DOMAIN_TERMS: readonly string[] = [
  '信访', '上访', '来信来访', '初信初访', '初次上访', '首信首访', '三到位一处理', '三到位', '三到一重', '越级访', '越级上访',
  '重复访', '重复信访', '集体访', '集体上访', '进京访', '赴京上访', '进京上访', '非正常上访', '非访', '缠访闹访', '缠访', '闹访',
  '群体访', '有理访', '无理访', '联席会议', '联席办', '领导小组', '责任主体', '责任人', '信访联席会议', '包案', '领导包案', '包保', '稳控', '劝返', '接访', '下访',
  '约访', '回访', '大接访', '联合下访', '首问责任制', '首办责任制', '首接', '首办', '首转', '一岗双责', '属地管理', '分级负责',
  '归口办理', '谁主管谁负责', '矛盾纠纷', '排查', '排查化解', '涉法涉诉', '涉法信访', '群体性事件', '信访条例', '信访事项',
  '信访秩序', '依法治访', '息诉息访', '停访息诉', '息访', '息诉', '督查督办', '挂牌督办', '立案率', '办结率', '社会稳定风险评估',
  '扼增量', '减存量', '防变量', '信访存量', '信访增量', '源头防控', '源头防范', '吹哨', '报到', '专项治理', '专项攻坚', '责任追究',
  '责任追究制', '责任制', '信访局', '信访部门', '信访干部', '维稳', '信访维稳', '行政复议', '仲裁', '法律诉讼', '日报告', '零报告',
  '驻京工作组', '重点人员', '老户', '信访积案', '积案', '历史遗留', '回头看', '一案一策', '案结事了', '事心双解', '枫桥经验',
];

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

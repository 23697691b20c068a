/**
 * Cross-lingual query expansion for the embedded (offline) mode.
 *
 * The speeches are Chinese and the local embedder (bge-small-zh) is weak
 * across languages, so an English question is expanded with the Chinese
 * terms of petition work it mentions, from this glossary. The expansion is
 * searched lexically and embedded alongside the original question. It is a
 * vocabulary of the domain, not a translator: when an LLM is configured,
 * questions can be rewritten by it instead.
 */

/** [English pattern (case-insensitive, word-bounded), Chinese terms]. Longer phrases first. */
const ENTRIES: readonly [string, string][] = [
  // Petition work itself
  ['letters and (?:calls|visits)', '信访'],
  ['(?:first|initial|first-time) (?:petitions?|visits?|letters?)(?: and visits?)?', '初信初访 初次上访'],
  ['(?:repeat(?:ed)?|recurring|duplicate)[- ](?:petitions?|visits?|petitioning)', '重复访 重复信访'],
  ['(?:collective|group|mass) (?:petitions?|visits?|petitioning)', '集体访 集体上访 群体访'],
  ['skip(?:ping)?[- ]level|bypass(?:ing)? (?:the )?levels?|over the heads?', '越级访 越级上访'],
  ['(?:abnormal|irregular) petition(?:s|ing)?', '非正常上访'],
  ['petition(?:ing)? (?:in|to) beijing|(?:go|going|went) to beijing', '进京访 赴京上访 进京'],
  ['petitioners?', '信访人 上访群众 信访群众'],
  ['petition(?:s|ing|ed)?', '信访 上访'],
  ['complain(?:t|ts|s|ed|ing)?', '反映 信访'],
  ['visits?', '来访 上访'],
  // Principles, rules and systems
  ['three in place,? (?:and )?one (?:handling|treatment|disposal)', '三到位一处理 三到位 一处理'],
  ['one post,? (?:two|dual) responsibilit(?:y|ies)', '一岗双责'],
  ['first[- ](?:inquiry|contact|question) responsibility', '首问责任制'],
  ['first[- ]handl(?:ing|er) responsibility', '首办责任制 首办'],
  ['three (?:understandings|clears|things to understand)', '三个明白'],
  ['three (?:takes the lead|leads|leading roles)', '三个带头'],
  ['seven prohibitions|seven (?:don.?ts|bans)', '七个不得'],
  ['responsibility system|system of responsibility', '责任制'],
  ['daily report(?:ing)?', '日报告'],
  ['zero report(?:ing)?', '零报告'],
  ['joint (?:meeting|conference)s?', '联席会议'],
  ['leading (?:small )?group|leadership group', '领导小组'],
  ['leadership team|leading team|leadership', '领导班子 领导'],
  ['social stability risk assessment|risk assessment', '社会稳定风险评估 风险评估'],
  ['(?:working|work) group|task force', '工作组 专班'],
  ['stationed in beijing|(?:based|resident) in beijing', '驻京'],
  ['special (?:campaign|rectification|action|drive|governance)', '专项治理 专项攻坚 专项'],
  ['supervision and follow-?up|supervis(?:e|ion|ing)|oversight|inspection', '督查督办 督查'],
  ['(?:written )?instructions?', '批示'],
  ['case[- ]filing|(?:file|register|open) (?:a )?cases?|filing rate', '立案 立案率'],
  ['performance (?:review|assessment|appraisal)|year-end (?:review|assessment|appraisal)|assessment', '考核 年终考核'],
  ['accountab(?:le|ility)|held responsible|responsibilit(?:y|ies)|responsible', '责任 问责 责任追究'],
  ['yellow card', '黄牌警告'],
  ['notice|circular|announcement', '通告'],
  ['(?:petition )?order', '信访秩序 秩序'],
  ['leading cadres?|officials?|cadres?', '领导干部 干部'],
  ['leaders?|chiefs?|heads?|commanders?', '领导 主官'],
  ['staff|personnel|workers', '人员 工作人员'],
  ['temporary (?:staff|workers|hires)|contract staff', '临聘人员'],
  ['organi[sz]ation department', '组织部'],
  ['political and legal affairs committee|political-legal committee', '政法委'],
  // Channels and law
  ['administrative reconsideration', '行政复议'],
  ['arbitration', '仲裁'],
  ['litigation|lawsuits?|sue|courts?', '诉讼 法律诉讼'],
  ['lawyers?|attorneys?|legal counsel', '律师'],
  ['legal (?:advice|consultation)', '法律咨询'],
  ['according to (?:the )?law|lawful(?:ly)?|legal(?:ly)?|law', '依法 法律'],
  ['illegal|unlawful|violat(?:e|es|ed|ing|ion)', '违法 违犯'],
  ['criminal|crimes?', '犯罪 刑事责任'],
  ['detention|detain(?:ed)?', '拘留'],
  ['penalt(?:y|ies)|punish(?:ed|ment)?|sanctions?|disciplin(?:e|ary)', '处罚 处分 追究'],
  ['police|public security', '公安机关 公安'],
  ['block(?:ing|ed)? (?:the )?(?:gates?|doors?|roads?|traffic)|besieg(?:e|ing)', '堵门堵路 围堵'],
  ['evidence', '证据'],
  ['land', '土地'],
  ['contracts?', '合同'],
  ['civil', '民事'],
  ['jurisdiction', '管辖'],
  // Doing the work
  ['(?:screen|survey|check)(?:s|ing|ed)? (?:for )?(?:disputes?|conflicts?|risks?)|screening', '排查'],
  ['disputes?|conflicts?|contradictions?', '矛盾纠纷 纠纷 矛盾'],
  ['resolv(?:e|ed|ing)|resolution|settl(?:e|ed|ing)|defus(?:e|ing)', '化解 解决'],
  ['handl(?:e|ed|ing)|deal(?:t)? with|process(?:ed|ing)?', '处理 办理'],
  ['record(?:ed|ing)?|register(?:ed)?|ledgers?|log(?:ged)?', '登记 台账'],
  ['report(?:ed|ing|s)?', '报告'],
  ['risks?|hidden dangers?', '风险 隐患'],
  ['decisions?|decision-making', '决策'],
  ['the best time|best (?:moment|period|time)|optimal time', '最佳时期'],
  ['later|delay(?:ed)?|the longer', '越往后 越难'],
  ['source|root(?:s)?|upstream', '源头'],
  ['grassroots|local level|primary level|locally', '基层 就地 当地'],
  ['receiv(?:e|ing) (?:petitioners|visitors)|reception|meet(?:ing)? (?:with )?petitioners|ways of meeting', '接访 接待 下访 约访 回访'],
  ['hot (?:and|or) difficult (?:issues|problems)|hot issues|difficult issues', '热点 难点'],
  ['claims?|demands?|appeals?|requests?', '诉求'],
  ['reasonable|legitimate|justified', '合理'],
  ['unreasonable|unjustified|groundless', '无理 不合理'],
  ['educat(?:e|ion)|persua(?:de|sion)', '教育 说服教育'],
  ['hardship|difficult(?:y|ies)|assistance|relief', '困难 帮扶救助'],
  ['mediat(?:e|ion)', '调解'],
  ['persuade (?:them )?to return|bring (?:them )?back|escort(?:ed)? back', '劝返'],
  ['on[- ]site|at the scene', '现场'],
  ['backlog(?:ged)?|long-standing|historical|legacy', '积案 历史遗留'],
  ['stabilit(?:y|ies)|stable', '稳定 维稳'],
  ['publicity|propaganda|publici[sz]e', '宣传'],
  ['cases?|matters?', '案件 信访事项'],
  ['mechanisms?|systems?', '机制 制度'],
  ['measures|methods|ways|approach(?:es)?', '措施 办法 方式'],
  ['increase[ds]?|rise|rose|grow(?:th)?', '上升 增加'],
  ['total (?:volume|number)', '总量'],
  ['percent(?:age)?|rate', '率'],
  ['deadline|time limit|by when', '限期'],
  ['funds?|funding|money|budget', '经费'],
  ['fees?|charge[ds]?|free of charge|free', '收费 不收费'],
  ['transport(?:ation)?|vehicles?', '交通'],
  // Time and place
  ['every two weeks|fortnight(?:ly)?|biweekly', '每两周'],
  ['half a month|semi-?monthly|twice a month', '每半月'],
  ['every week|weekly', '每周'],
  ['wednesdays?', '周三'],
  ['months?', '月'],
  ['townships?|towns?', '乡镇 乡'],
  ['villages?', '村'],
  ['count(?:y|ies)', '县 全县'],
  ['cit(?:y|ies)|municipal', '市 全市'],
  ['provinc(?:e|es|ial)', '省'],
  ['corps|contingents?|brigades?', '总队 支队'],
  ['beijing|the capital', '北京 进京'],
  ['national (?:bureau|administration)|state bureau', '国家信访局'],
  ['central committee|central', '中央'],
  ['reform', '改革'],
];

const COMPILED = ENTRIES.map(([en, zh]) => ({ re: new RegExp(`\\b(?:${en})\\b`, 'giu'), zh }));

/**
 * Returns the Chinese terms an English question mentions (and any Chinese it
 * already contains), in question order, de-duplicated; '' when nothing matched.
 */
export function expandToChinese(question: string): string {
  let rest = question.toLowerCase();
  const found: { at: number; zh: string }[] = [];
  for (const { re, zh } of COMPILED) {
    rest = rest.replace(re, (m, ...args) => {
      found.push({ at: args[args.length - 2] as number, zh });
      return ' '.repeat(m.length); // consume, so shorter entries do not match inside longer ones
    });
  }
  for (const m of question.matchAll(/[\p{Script=Han}]+/gu)) found.push({ at: m.index ?? 0, zh: m[0] });
  const terms: string[] = [];
  for (const { zh } of found.sort((a, b) => a.at - b.at)) for (const t of zh.split(' ')) if (!terms.includes(t)) terms.push(t);
  return terms.join(' ');
}

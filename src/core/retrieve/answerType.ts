/**
 * Expected-answer-type check: a question that asks for a number of days or a
 * length of time is only answered by a passage that states one. Near-domain
 * questions ("对信访处理意见不服申请复核，要在多少天之内提出？") resemble the
 * speeches closely, yet no passage gives the figure they ask for.
 */
const NUM = '[0-9０-９一二三四五六七八九十百千两半几]+';

const TYPES: { name: string; asks: RegExp; answeredBy: RegExp }[] = [
  {
    name: 'a number of days',
    asks: /多少(?:个)?(?:工作)?[天日]|几(?:个)?(?:工作)?[天日]|how many (?:working )?days/iu,
    answeredBy: new RegExp(`${NUM}(?:个)?(?:工作日|天|日内|日之内|日以内)`, 'u'),
  },
  {
    name: 'a length of time',
    asks: /多长时间|多久|多少时间|期限(?:是|为)?多|how long|what (?:is the )?(?:deadline|time limit)/iu,
    answeredBy: new RegExp(`${NUM}(?:个)?(?:工作日|天|日|周|星期|月|季度|年|小时)|每(?:${NUM})?(?:天|日|周|星期|月|季度|年)|限期|月底|年底|底前|之前`, 'u'),
  },
];

/** The answer type the question asks for that none of the passages provides, or null. */
export function missingAnswerType(question: string, passages: readonly { text: string }[]): string | null {
  for (const t of TYPES) {
    if (t.asks.test(question) && !passages.some((p) => t.answeredBy.test(p.text))) return t.name;
  }
  return null;
}

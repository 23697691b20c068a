/** The mechanisms behind partial answers and named speeches, on small inputs (no model, no index). */
import { describe, expect, it } from 'vitest';
import { figuresIn } from '../../../src/core/answer/figures.js';
import { partialStatement } from '../../../src/core/answer/compose.js';
import { constraintMismatch, missingDetail } from '../../../src/core/answer/answerability.js';
import { namedScopes } from '../../../src/core/domain/scopes.js';
import { NOT_STATED, type SourceInfo } from '../../../src/core/ingest/sourceInfo.js';
import { namedSpeeches, settingOf, speechProfile, withoutSetting, type SpeechProfile } from '../../../src/core/retrieve/namedSpeech.js';
import { buildLexicon, contentWords, stem, translateEnglish } from '../../../src/core/retrieve/bilingual.js';
import { JiebaSegmenter } from '../../../src/adapters/segmenters/jieba.js';
import { corpusDomain } from '../../helpers/domain.js';

const domain = corpusDomain();
const detail = (name: string) => domain.details.find((d) => d.name === name)!;
const source = (level: string, date = NOT_STATED): SourceInfo => ({
  meeting: NOT_STATED,
  level,
  place: NOT_STATED,
  speaker: NOT_STATED,
  date,
  cite: '据《x》',
});

describe("missingDetail (the pack's detail types)", () => {
  it('a figure asked for and stated is given; a masked one (倒数第X) is not', () => {
    const q = '网投量全省排倒数第几？';
    expect(missingDetail(q, [{ docId: 'a', text: '向国家局网投量全省倒数第X' }], domain.details)?.name).toBe('a rank');
    expect(missingDetail(q, [{ docId: 'a', text: '向国家局网投量全省倒数第3' }], domain.details)).toBeNull();
  });

  it("what the question already says is not news: 徐局长 does not give 徐局长's full name", () => {
    const q = '徐局长的全名叫什么？';
    expect(missingDetail(q, [{ docId: 'a', text: '从徐局长的汇报中我注意到' }], domain.details)).toBe(detail("a person's name"));
    expect(missingDetail('方案是谁宣读的，他叫什么名字？', [{ docId: 'a', text: '刚才，和军副总队长宣读了实施方案' }], domain.details)).toBeNull();
  });

  it('the items of a named list are given only by an enumeration', () => {
    const q = '“三到一重”具体是哪三到？';
    expect(missingDetail(q, [{ docId: 'a', text: '要坚决落实“三到一重”工作要求。' }], domain.details)).toBe(detail('the items of a list'));
    expect(missingDetail(q, [{ docId: 'a', text: '一是领导到位，二是措施到位。' }], domain.details)).toBeNull();
  });

  it('the items of a quoted name are given right after the name, not by another list in the passage', () => {
    const q = '通告里“七个不得”具体是哪七条？';
    const named =
      '明确七个不得，如有违犯者，按照《信访条例》、《中华人民共和国治安管理处罚条例》等有关法律、法规，视情节轻重，分别给予批评教育、行政处分、拘留或劳动教养。';
    expect(missingDetail(q, [{ docId: 'a', text: named }], domain.details)).toBe(detail('the items of a list'));
    expect(missingDetail(q, [{ docId: 'a', text: '明确七个不得：不得越级上访、不得缠访闹访、不得聚众堵路。' }], domain.details)).toBeNull();
    // A lead-in completed by the sentences that list the items.
    const leadIn = '关键要做到“三个带头”。一要带头包案。各级主官作为第一责任人，要率先垂范；二要带头协调。';
    expect(missingDetail('“三个带头”分别是哪三个？', [{ docId: 'a', text: leadIn }], domain.details)).toBeNull();
  });

  it('questions that ask for no detail lose nothing', () => {
    expect(missingDetail('初信初访应该怎么处理？', [{ docId: 'a', text: '要及时就地化解。' }], domain.details)).toBeNull();
  });
});

describe('constraintMismatch (levels and years)', () => {
  it("a level named by the question matches the speech's level or evidence mentioning it", () => {
    expect(namedScopes('市里那篇讲话怎么说', domain).map((s) => s.name)).toEqual(['市级']);
    const ev = { docId: 'a', text: '县级立案率要达到60%' };
    expect(constraintMismatch('市里要求立案率达到多少？', ev, source('县级'), domain)).toEqual({ kind: 'setting', named: '市里', actual: '县级' });
    expect(constraintMismatch('县里要求立案率达到多少？', ev, source('县级'), domain)).toBeNull();
    expect(constraintMismatch('市里对县级立案率怎么要求？', { docId: 'a', text: '市、县两级坚持每周一排查' }, source('市级'), domain)).toBeNull();
  });

  it("a year must be the speech's date or in the evidence; an undated speech does not match one", () => {
    const ev = { docId: 'a', text: '发生赴京集体上访6批80人' };
    expect(constraintMismatch('2023年的会议上说赴京上访多少批？', ev, source('县级'), domain)).toEqual({
      kind: 'setting',
      named: '2023年',
      actual: NOT_STATED,
    });
    expect(constraintMismatch('2023年的会议上说赴京上访多少批？', ev, source('县级', '2023-05-01'), domain)).toBeNull();
  });
});

describe('constraintMismatch (figures the question asserts)', () => {
  const ev = { docId: 'a', text: '为迎接建党百年营造良好的工作环境。' };
  it('a figure the speech never states, in either spelling, does not match', () => {
    expect(constraintMismatch('为迎接建党九十五周年开展的攻坚行动有哪些环节？', ev, source('省级'), domain, { text: ev.text })).toEqual({
      kind: 'figure',
      named: '九十五',
    });
    expect(constraintMismatch('立案率要达到80%吗？', ev, source('县级'), domain, { text: '县级立案率要达到60%' })).toEqual({ kind: 'figure', named: '80' });
  });

  it('a figure the speech states matches, written either way; list names, adverbs and years are not figures', () => {
    expect(constraintMismatch('立案率要达到60%吗？', ev, source('县级'), domain, { text: '县级立案率要达到60%' })).toBeNull();
    expect(constraintMismatch('积案要在9月底前报结吗？', ev, source('县级'), domain, { text: '限九月底前报结' })).toBeNull();
    expect(constraintMismatch('接访要做到哪“三个带头”？万一十分紧急呢？', ev, source('县级'), domain, { text: '关键要做到' })).toBeNull();
    expect(figuresIn('2023年前八个月发生6批80人，两百件').map((f) => f.written)).toEqual(['6', '80', '两百']);
    // A year is a date, whether 年 follows or not; 200 and 20000 are found as 两百 and 2万; alternatives assert nothing.
    expect(figuresIn('2016 年的会议、2016的规定').map((f) => f.written)).toEqual([]);
    expect(constraintMismatch('要投入200万元吗？', ev, source('县级'), domain, { text: '投入两百万元' })).toBeNull();
    expect(constraintMismatch('覆盖20000户吗？', ev, source('县级'), domain, { text: '覆盖2万户' })).toBeNull();
    expect(constraintMismatch('是60日还是90日办结？', ev, source('县级'), domain, { text: '60日内办结' })).toBeNull();
  });

  it('the partial answer says the figure is not in the speech', () => {
    expect(partialStatement({ answerable: 'partial', reason: 'constraint_mismatch', kind: 'figure', named: '九十五' }, 'zh', domain, null)).toBe(
      '问题中的“九十五”，下面原文所在的讲话中没有这个数字，与问题所说不符。',
    );
  });
});

describe('namedSpeeches (a described setting → documents)', () => {
  const segmenter = new JiebaSegmenter(domain.terms);
  const profiles: SpeechProfile[] = [
    speechProfile('joint', '在县信访工作联席会议上的讲话', { ...source('县级'), meeting: '县信访工作联席会议' }, segmenter),
    speechProfile('city', '在全市维护稳定暨信访工作会议上的讲话', { ...source('市级'), meeting: '全市维护稳定暨信访工作会议' }, segmenter),
    speechProfile('group', '在县信访工作领导小组会议上的讲话', { ...source('县级'), meeting: '县信访工作领导小组会议' }, segmenter),
    speechProfile('corps', '在全省**队伍信访工作会议上的讲话', { ...source('省级'), place: '某省**总队' }, segmenter),
  ];

  it('the setting is the clause before a speech cue', () => {
    expect(settingOf('有人反映问题，总队那次讲话怎么说？', domain.speechCues)).toContain('总队那次');
    expect(settingOf('初信初访怎么处理？', domain.speechCues)).toBe('');
  });

  it('the question searched within the named speech leaves its setting out, unless little else is left', () => {
    expect(withoutSetting('总队那次讲话对初信初访提了什么要求？', domain.speechCues)).toBe('对初信初访提了什么要求？');
    expect(withoutSetting('通许县全县信访工作会议上，领导把北京看作信访工作的什么？', domain.speechCues)).not.toContain('全县信访工作会议');
    expect(withoutSetting('那次会议讲了啥？', domain.speechCues)).toBe('那次会议讲了啥？');
  });

  it("names the documents whose profiles share the setting's distinctive words or level", () => {
    expect(namedSpeeches('总队那次讲话对初信初访提了什么要求？', profiles, domain, segmenter)).toEqual(['corps']);
    expect(namedSpeeches('市里那篇讲话怎么说排查？', profiles, domain, segmenter)).toEqual(['city']);
    expect(namedSpeeches('县里那次联席会议讲了什么？', profiles, domain, segmenter)).toEqual(['joint']);
    expect(namedSpeeches('县里那次会上讲了什么？', profiles, domain, segmenter)).toEqual(['joint', 'group']);
  });

  it('names none without a cue, or when the words fit every document', () => {
    expect(namedSpeeches('总队对初信初访有什么要求？', profiles, domain, segmenter)).toBeNull();
    expect(namedSpeeches('那次信访工作会议讲了什么？', profiles, domain, segmenter)).toBeNull();
  });
});

describe('English query translation through a corpus-restricted lexicon', () => {
  it('stems and drops function words', () => {
    expect(stem('visits')).toBe('visit');
    expect(stem('disputes')).toBe('dispute');
    expect(contentWords('How often should the townships screen for disputes?')).toEqual(['often', 'township', 'screen', 'dispute']);
  });

  it('builds word → corpus terms from short glosses, commonest in the corpus first, and measures coverage', () => {
    const glosses: Record<string, string[]> = {
      乡镇: ['township', 'towns and villages'],
      纠纷: ['dispute'],
      矛盾: ['contradiction', 'conflict'],
      排查: ['to inspect', 'to audit'],
      解释: ['explanation of a long complicated thing, never a translation of anything'],
    };
    const lexicon = buildLexicon(
      [
        ['乡镇', 5],
        ['纠纷', 9],
        ['矛盾', 7],
        ['排查', 3],
        ['解释', 1],
      ],
      (t) => glosses[t] ?? [],
    );
    expect(lexicon.get('dispute')).toEqual(['纠纷']);
    expect(lexicon.has('explanation')).toBe(false);
    const { terms, coverage } = translateEnglish('How often do townships screen for disputes?', lexicon);
    expect(terms).toEqual(['乡镇', '纠纷']);
    expect(coverage).toBeCloseTo(2 / 4);
    expect(translateEnglish('Which restaurant is best?', lexicon).coverage).toBe(0);
  });
});

describe('gapNote (what the model is told before it answers)', () => {
  it('is whole sentences for every partial reason', async () => {
    const { gapNote } = await import('../../../src/core/answer/prompt.js');
    expect(gapNote({ answerable: 'partial', reason: 'detail_not_given', detail: { zh: '具体天数', en: 'a number of days' } }, domain)).toBe(
      '讲话没有给出具体天数。',
    );
    expect(gapNote({ answerable: 'partial', reason: 'constraint_mismatch', kind: 'setting', named: '全国', actual: '市级' }, domain)).toBe(
      '问题提到“全国”，但资料出自市级，与之不符。',
    );
    expect(gapNote({ answerable: 'partial', reason: 'constraint_mismatch', kind: 'speech', named: '《甲》', actual: '《乙》（县级会议）' }, domain)).toBe(
      '问题所指的《甲》没有谈到这一点，资料出自《乙》（县级会议）。',
    );
    expect(gapNote({ answerable: 'partial', reason: 'constraint_mismatch', kind: 'figure', named: '九十五' }, domain)).toBe(
      '问题中的“九十五”，资料所在的讲话中没有这个数字，与之不符。',
    );
  });
});

describe('splitParts (multi-part questions)', () => {
  it('splits at question marks and semicolons; a stub joins the part before it', async () => {
    const { splitParts } = await import('../../../src/core/answer/multiPart.js');
    expect(splitParts('乡镇多久排查一次？市县两级呢？')).toEqual(['乡镇多久排查一次？', '市县两级呢？']);
    expect(splitParts('立案率要达到多少；能不能转出去？')).toEqual(['立案率要达到多少；', '能不能转出去？']);
    expect(splitParts('县里要求乡镇每半月排查一次，对吗？是吗？')).toEqual(['县里要求乡镇每半月排查一次，对吗？是吗？']);
    expect(splitParts('初信初访应该怎么处理？')).toEqual(['初信初访应该怎么处理？']);
  });
});

describe('the model is asked to answer a multi-part question part by part', () => {
  it('only when the question has several parts', async () => {
    const { buildAnswerMessages } = await import('../../../src/core/answer/prompt.js');
    const system = (q: string) => buildAnswerMessages(q, [], 'zh', domain)[0]!.content;
    expect(system('乡镇多久排查一次？市县两级呢？')).toContain('请逐一作答');
    expect(system('乡镇多久排查一次？')).not.toContain('请逐一作答');
  });
});

describe('the corpus script: traditional characters and pinyin', () => {
  it('toSimplified replaces the characters the map knows, one for one', async () => {
    const { toSimplified } = await import('../../../src/core/retrieve/bilingual.js');
    expect(
      toSimplified(
        '聯席會議',
        new Map([
          ['聯', '联'],
          ['會', '会'],
          ['議', '议'],
        ]),
      ),
    ).toBe('联席会议');
  });

  it('pinyin spelling corpus terms becomes those terms; English does not', async () => {
    const { buildPinyin, fromPinyin } = await import('../../../src/core/retrieve/bilingual.js');
    const readings: Record<string, string[]> = { 乡镇: ['xiang1 zhen4'], 排查: ['pai2 cha2'], 多久: ['duo1 jiu3'], 纠纷: ['jiu1 fen1'], 纠份: ['jiu1 fen4'] };
    const pinyin = buildPinyin(
      [
        ['乡镇', 9],
        ['排查', 5],
        ['多久', 2],
        ['纠纷', 7],
        ['纠份', 1],
      ],
      (t) => readings[t] ?? [],
    );
    expect(pinyin.get('jiufen')).toBe('纠纷');
    expect(fromPinyin('xiangzhen duojiu paicha jiufen', pinyin)).toBe('乡镇多久排查纠纷');
    expect(fromPinyin('How often do townships screen disputes', pinyin)).toBeNull();
  });
});

describe('places (the gazetteer of the lexicon)', () => {
  it('finds the places a text names, the longest name only', async () => {
    const { placesIn } = await import('../../../src/core/retrieve/bilingual.js');
    const places = new Set(['郑州市', '河南省', '通许县']);
    expect(placesIn('河南省郑州市的会议说了什么？', places)).toEqual(['河南省', '郑州市']);
    expect(placesIn('全县的会议说了什么？', places)).toEqual([]);
  });

  it('a place the speech never names is a mismatch; one it names is not', () => {
    const ev = { docId: 'a', text: '北京是信访工作的最后一道防线' };
    expect(
      constraintMismatch('郑州市的会议怎么说北京？', ev, source('县级'), domain, { places: ['郑州市'], text: '通许县……北京是信访工作的最后一道防线' }),
    ).toEqual({
      kind: 'setting',
      named: '郑州市',
      actual: NOT_STATED,
    });
    expect(
      constraintMismatch('通许县的会议怎么说北京？', ev, source('县级'), domain, { places: ['通许县'], text: '通许县……北京是信访工作的最后一道防线' }),
    ).toBeNull();
  });
});

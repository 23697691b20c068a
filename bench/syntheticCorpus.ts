/**
 * A deterministic generator of synthetic petition-work (信访) speech passages and of
 * questions about them, for scale benchmarks (`npm run bench:scale`).
 *
 * The text is built from phrase templates: domain terms (as in corpus/yiju.domain.yaml),
 * generic government-speech filler, invented place names, departments, dates and
 * figures. Every passage is a pure function of (seed, index), so passages can be
 * streamed one by one (1M never needs to be held as one array) and a query can name
 * its source passage without generating the passages before it. Pure TypeScript with
 * no runtime-specific imports.
 */

/** Mulberry32: a small, fast, seedable 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes integers into one well-spread 32-bit seed. */
function mix(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

// ---------------------------------------------------------------- vocabulary

const NAME_1 = [...'东西南北青白石安和平清河长新兴永丰宁桂柳金银云龙凤泉山阳林湖溪沙桃梅竹松鹤华嘉苍翠黄红'];
const NAME_2 = [...'山河水源川江溪岭坪湾桥塘岗庄田阳宁安丰平兴城口坝林泉浦亭洲峰'];
const COUNTY_SUFFIX = ['县', '县', '县', '区', '市'];
const TOWN_SUFFIX = ['镇', '镇', '乡', '街道'];
const VILLAGE_SUFFIX = ['村', '村', '社区'];

const DEPARTMENTS = [
  '人社局',
  '住建局',
  '自然资源局',
  '公安局',
  '民政局',
  '教育局',
  '卫健委',
  '农业农村局',
  '市场监管局',
  '司法局',
  '退役军人事务局',
  '信访局',
  '委政法委',
  '纪委监委',
  '人民法院',
  '人民检察院',
  '城管局',
  '交通运输局',
  '生态环境局',
  '医保局',
  '财政局',
  '水利局',
];
const ROLES = [
  '县委书记',
  '县长',
  '分管副县长',
  '政法委书记',
  '乡镇党委书记',
  '乡镇长',
  '包村干部',
  '网格员',
  '村党支部书记',
  '信访干部',
  '部门主要负责同志',
  '驻村工作队',
  '派出所所长',
  '司法所所长',
  '人民调解员',
];
const SENSITIVE_PERIODS = ['全国两会期间', '春节前后', '国庆节期间', '重大活动期间', '汛期', '年底岁末', '重要会议召开期间', '清明节前后'];
const RELATIVE_DATES = ['今年以来', '今年一季度', '今年上半年', '去年下半年', '近三年来', '近年来', '本轮排查以来', '专项行动开展以来'];

interface Topic {
  name: string;
  /** Domain terms characteristic of the topic (slot {T}). */
  terms: readonly string[];
  /** Things the topic's work aims at (slot {G}). */
  goals: readonly string[];
  /** Topic-specific sentence templates. */
  templates: readonly string[];
}

const TOPICS: readonly Topic[] = [
  {
    name: '初信初访',
    terms: ['初信初访', '首信首访', '初次上访', '首问责任制', '首办责任制', '三到位一处理', '信访事项', '受理告知', '按期办结', '及时就地解决'],
    goals: ['一次性解决到位', '群众满意率', '按期办结率', '及时受理率'],
    templates: [
      '要把{T}作为信访工作的第一道防线，坚持{T2}，做到件件有着落、事事有回音。',
      '{date}，{county}共受理{T}{n}件，按期办结率达到{pct}，比去年同期提高{pct2}。',
      '对{T}，{dept}要在规定时限内受理告知，能当场答复的当场答复，确保{G}。',
      '凡是{T}办理不到位、引发重复访的，要倒查责任，追究{role}的责任。',
      '{town}推行“{T}”一站式办理，群众反映的问题平均办理时间缩短到{d}天。',
    ],
  },
  {
    name: '矛盾纠纷排查化解',
    terms: ['矛盾纠纷', '排查化解', '矛盾纠纷排查', '源头防控', '源头防范', '苗头性问题', '风险隐患', '调解', '人民调解', '多元化解'],
    goals: ['小事不出村、大事不出镇、矛盾不上交', '化解在基层、化解在萌芽状态', '矛盾纠纷化解率', '风险早发现早处置'],
    templates: [
      '要常态化开展{T}，坚持每月一排查、每周一研判，做到{G}。',
      '截至{date2}，全县共排查各类{T}{n}起，已化解{n2}起，化解率{pct}。',
      '{town}建立“{T}”工作台账，对排查出的问题逐一明确责任人和化解时限。',
      '对排查出的{T}，要落实{T2}，分级分类处置，绝不能捂着盖着、拖着不办。',
      '{village}依托{T}工作室，{date}成功调处邻里纠纷、土地纠纷{n2}起。',
    ],
  },
  {
    name: '领导接访下访',
    terms: ['领导接访', '领导下访', '接访', '下访', '约访', '大接访', '联合下访', '领导包案', '包案', '接访日'],
    goals: ['面对面听取群众诉求', '把问题解决在群众家门口', '领导干部带头化解疑难信访问题', '群众满意'],
    templates: [
      '{role}要带头{T}，每月至少安排一天{T2}，{G}。',
      '{date}，县级领导{T}{n}批次，接待群众{n2}人次，当场解决问题{n3}件。',
      '推行“{T}+{T2}”工作模式，{role}带着问题下基层，做到{G}。',
      '对{T}中群众反映的问题，要建立台账，明确{dept}牵头办理，限期反馈结果。',
      '{county}实行县级领导{T}制度，{date}以来共包案{n2}件，已化解{n3}件。',
    ],
  },
  {
    name: '信访积案化解',
    terms: ['信访积案', '积案', '历史遗留', '疑难复杂信访问题', '信访存量', '一案一策', '案结事了', '事心双解', '息诉息访', '停访息诉'],
    goals: ['案结事了、事心双解', '信访存量明显下降', '化解一件、巩固一件', '积案清仓见底'],
    templates: [
      '要集中力量攻坚{T}，坚持{T2}，逐案制定化解方案，确保{G}。',
      '经过专项攻坚，{date}以来共化解{T}{n}件，化解率达到{pct}。',
      '对{T}，{role}要亲自包案、亲自协调，不能一推了之。',
      '有的{T}时间跨度长、政策性强，{dept}要拿出“解剖麻雀”的劲头，{G}。',
      '{town}对{n2}件{T}实行挂牌督办，{date}已有{n3}件实现{T2}。',
    ],
  },
  {
    name: '进京访越级访治理',
    terms: ['进京访', '越级访', '越级上访', '赴京上访', '非正常上访', '重复访', '驻京工作组', '劝返', '信访秩序', '逐级走访'],
    goals: ['进京访、越级访明显下降', '引导群众依法逐级反映诉求', '维护正常信访秩序', '零进京非访'],
    templates: [
      '要严格落实逐级走访制度，坚决遏制{T}，做到{G}。',
      '{date}，全县发生{T}{n}人次，同比下降{pct}，但{sensitive}的压力依然不小。',
      '对{T}问题，要倒查原因，凡因工作不到位造成的，要严肃追究{dept}和{role}的责任。',
      '{sensitive}，要加强{T}预警，{T2}工作要提前部署、提前介入。',
      '{county}{T}排名由全市第{n2}位下降到第{n3}位，{G}的成效初步显现。',
    ],
  },
  {
    name: '网格化管理',
    terms: ['网格化', '网格化管理', '网格员', '网格化服务管理', '网格', '基层治理', '一张网', '多网合一', '吹哨报到', '街乡吹哨'],
    goals: ['小事不出网格', '问题在网格内发现、在网格内解决', '治理重心下移', '基层治理能力提升'],
    templates: [
      '要把{T}延伸到村组、小区和楼栋，配齐配强{T2}，实现{G}。',
      '{county}划分网格{n}个，配备专兼职网格员{n2}名，{date}以来网格内化解问题{n3}件。',
      '{village}推行“{T}+信访”模式，网格员每天走访入户，做到{G}。',
      '要发挥{T}的前哨作用，对发现的矛盾纠纷和信访苗头，第一时间上报{dept}。',
      '推进{T}与{T2}深度融合，让群众诉求“一网通办”。',
    ],
  },
  {
    name: '联席会议机制',
    terms: ['联席会议', '信访联席会议', '联席办', '领导小组', '联席会议制度', '专题会议', '督查督办', '挂牌督办', '协调会', '会商研判'],
    goals: ['形成工作合力', '统筹协调解决重大信访问题', '一盘棋推进', '责任共担'],
    templates: [
      '要充分发挥{T}的统筹协调作用，定期研究解决重大信访问题，{G}。',
      '{date}，县{T}共召开会议{n}次，研究解决重大信访事项{n2}件。',
      '{T}成员单位要各司其职、密切配合，{dept}要主动靠前、积极作为。',
      '对跨部门、跨地区的信访问题，由{T}牵头组织{T2}，明确主办单位和协办单位。',
      '建立{T}月调度、季通报制度，对工作滞后的乡镇和{dept}进行{T2}。',
    ],
  },
  {
    name: '责任落实',
    terms: ['责任', '责任制', '一岗双责', '属地管理', '分级负责', '谁主管谁负责', '责任主体', '责任追究', '责任追究制', '考核问责'],
    goals: ['层层压实责任', '守土有责、守土尽责', '责任落实到人', '失职必问、问责必严'],
    templates: [
      '要严格落实信访工作{T}，坚持{T2}、归口办理，做到{G}。',
      '乡镇党委书记是本辖区信访工作第一责任人，要把{T}抓在手上、扛在肩上。',
      '{date}，全县因信访工作{T}不落实，对{n}名干部进行了问责。',
      '{dept}要落实{T}，不能把矛盾上交、把责任推给乡镇。',
      '把信访工作纳入综合考核，权重提高到{pct}，实行{T}，{G}。',
    ],
  },
  {
    name: '依法治访',
    terms: ['依法治访', '信访条例', '信访工作条例', '依法分类处理', '诉访分离', '涉法涉诉', '行政复议', '法律诉讼', '仲裁', '法律援助'],
    goals: ['把信访纳入法治化轨道', '依法按政策解决群众合理诉求', '运用法治思维和法治方式化解矛盾', '依法维护信访秩序'],
    templates: [
      '要深入贯彻{T}，推进{T2}，{G}。',
      '对属于{T}范畴的诉求，要引导群众通过{T2}等法定途径解决。',
      '{date}，{county}开展{T}宣传进乡村活动{n}场次，受益群众{n2}人次。',
      '对信访活动中的违法行为，{dept}要依法处置，做到{G}。',
      '律师参与化解和代理{T}案件{n2}件，{G}的效果逐步显现。',
    ],
  },
  {
    name: '信访信息化',
    terms: ['网上信访', '信访信息系统', '阳光信访', '信访大数据', '12345热线', '网上投诉', '信息化', '手机信访', '视频接访', '数据分析'],
    goals: ['让数据多跑路、群众少跑腿', '信访工作透明公开', '提高办理效率', '精准研判风险'],
    templates: [
      '要大力推进{T}，把{T2}作为群众反映诉求的主渠道，{G}。',
      '{date}，{county}通过{T}受理群众诉求{n}件，占信访总量的{pct}。',
      '运用{T}开展分析研判，对高频诉求和重点人员进行动态预警。',
      '{dept}要及时在{T}中登记、转送、办理和反馈，全程留痕、群众可查。',
      '推广{T}，{town}群众足不出户就能反映问题，{G}。',
    ],
  },
  {
    name: '重点领域',
    terms: ['征地拆迁', '劳资纠纷', '拖欠农民工工资', '房地产', '涉农问题', '退役军人', '教育医疗', '生态环境', '非法集资', '企业改制'],
    goals: ['重点领域信访问题有效化解', '依法依规维护群众合法权益', '防止问题叠加升级', '把政策落实到位'],
    templates: [
      '当前，{T}、{T2}等领域信访问题比较突出，{dept}要认真研究、拿出办法。',
      '{date}，涉及{T}的信访事项{n}件，占总量的{pct}，要作为治理重点。',
      '对{T}引发的群体性信访，要坚持属地管理，{G}。',
      '{county}成立{T}问题专班，由{role}牵头，{date}以来化解{n2}件。',
      '要把{T}问题的源头治理放在首位，{G}。',
    ],
  },
  {
    name: '敏感节点维稳',
    terms: ['维稳', '信访维稳', '稳控', '重点人员', '包保', '日报告', '零报告', '应急处置', '群体性事件', '社会稳定风险评估'],
    goals: ['不发生影响社会稳定的重大事件', '确保社会大局和谐稳定', '守住安全稳定底线', '早发现、早报告、早处置'],
    templates: [
      '{sensitive}，要全面落实{T}措施，实行{T2}制度，{G}。',
      '对{n}名{T}，要逐人落实包保领导和责任人，做到{G}。',
      '重大决策出台前必须开展{T}，从源头上减少矛盾。',
      '{town}在{sensitive}实行{T}，{date}未发生一起越级访。',
      '{dept}要加强与乡镇的信息互通，对{T}苗头做到{G}。',
    ],
  },
  {
    name: '基层治理枫桥经验',
    terms: ['枫桥经验', '新时代枫桥经验', '自治法治德治', '三治融合', '乡贤调解', '村规民约', '矛盾纠纷调处中心', '综治中心', '一站式', '最多跑一地'],
    goals: ['矛盾不上交、平安不出事、服务不缺位', '把矛盾化解在基层', '群众诉求一站式受理', '共建共治共享'],
    templates: [
      '要坚持和发展{T}，推进{T2}，努力实现{G}。',
      '{county}建成{T}{n}个，{date}以来受理群众诉求{n2}件，办结率{pct}。',
      '{village}用好{T}，发挥老党员、老干部作用，{G}。',
      '推动{T}与{T2}有机结合，让群众反映问题“最多跑一地”。',
      '{role}要经常深入{T}一线，掌握社情民意，{G}。',
    ],
  },
  {
    name: '干部作风',
    terms: ['干部作风', '群众工作', '群众路线', '作风建设', '能力建设', '信访干部队伍', '教育培训', '担当作为', '调查研究', '换位思考'],
    goals: ['把群众当亲人', '打造一支忠诚干净担当的信访干部队伍', '真心实意为群众办事', '提高做好群众工作的本领'],
    templates: [
      '信访工作是{T}，各级干部要坚持{T2}，{G}。',
      '{date}，全县举办信访业务培训{n}期，培训干部{n2}人次，着力加强{T}。',
      '有的干部对群众来访推诿扯皮、敷衍塞责，这是{T}问题，必须坚决纠正。',
      '要注重在信访一线考察识别干部，对{T}突出的{role}优先提拔使用。',
      '接待群众要学会{T}，多一些耐心、少一些急躁，{G}。',
    ],
  },
];

/** Generic government-speech filler; {T} is a term of the passage's topic. */
const FILLER = [
  '各级各部门要切实提高政治站位，把{T}作为一项重要政治任务来抓。',
  '要坚持以人民为中心的发展思想，始终把群众利益放在首位。',
  '实践证明，只要思想重视、措施得力，{T}就一定能够取得实效。',
  '同志们，做好新形势下的信访工作，责任重大、使命光荣。',
  '对此，我们必须保持清醒头脑，增强忧患意识，决不能掉以轻心。',
  '总的来看，{county}的{T}工作取得了一定成效，但也要清醒看到存在的问题和不足。',
  '下一步，要在巩固成果的基础上，进一步健全{T}长效机制。',
  '希望大家以这次会议为契机，开拓进取、真抓实干，推动各项工作再上新台阶。',
  '这些问题，有的是历史原因造成的，有的是工作不到位造成的，必须高度重视。',
  '信访工作是党的群众工作的重要组成部分，是了解社情民意的重要窗口。',
  '我们要认真总结经验，查找短板弱项，以钉钉子精神抓好落实。',
  '在这里，我再强调几点意见。',
  '关于{T}，我讲三点。',
  '{date}，在县委、县政府的坚强领导下，全县信访形势总体平稳。',
  '会后，各乡镇、{dept}要迅速传达会议精神，结合实际抓好贯彻落实。',
  '要加强舆论引导，及时回应社会关切，营造良好氛围。',
  '抓好{T}，关键在领导、关键在责任、关键在落实。',
  '对工作中涌现出的好经验、好做法，要及时总结推广。',
  '前不久，我到{town}{village}调研，群众反映最多的还是{T}方面的问题。',
  '{town}的做法很有代表性，各乡镇要学习借鉴。',
  '{county}{town}、{village}等地探索了一些好的做法，{T}工作走在了前列。',
  '从{village}的情况看，{T}抓得实不实，群众心里有杆秤。',
  '{date}，我们在{town}召开了现场推进会，专题部署{T}工作。',
];

const OPENINGS = ['第一，', '第二，', '第三，', '一是', '二是', '三是', '首先，', '其次，', '同时，', '另外，', '总之，', '', '', '', ''];

/** Light paraphrases used when turning passage terms into questions. */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  矛盾纠纷: ['纠纷', '矛盾'],
  排查化解: ['摸排化解', '排查和化解'],
  领导接访: ['领导接待群众来访'],
  下访: ['下基层接访'],
  信访积案: ['积压的信访案件', '老案'],
  积案: ['积压案件'],
  进京访: ['到北京上访'],
  越级访: ['越级上访'],
  网格化管理: ['网格管理'],
  联席会议: ['联席会'],
  责任追究: ['问责'],
  依法治访: ['依法处理信访'],
  网上信访: ['网上反映诉求'],
  稳控: ['稳定控制'],
  征地拆迁: ['拆迁'],
  劳资纠纷: ['欠薪纠纷'],
  初信初访: ['第一次来信来访'],
  包案: ['领导包案'],
  重点人员: ['重点对象'],
};

const QUESTION_TEMPLATES = [
  '{a}工作应该怎么做？',
  '关于{a}和{b}，讲话提出了哪些要求？',
  '{p}在{a}方面是怎么做的？',
  '如何做好{a}{b}工作？',
  '讲话对{a}有什么具体要求？',
  '{a}、{b}方面有哪些做法？',
  '{p}{a}工作的情况怎么样？',
  '{a}中{b}怎么落实？',
  '怎样推进{a}，{b}有哪些措施？',
  '{p}的{a}有什么经验？',
];

// ---------------------------------------------------------------- passages

export interface SyntheticPassage {
  /** Stable id: `syn-<index>`. */
  id: string;
  index: number;
  /** Synthetic document (speech) the passage belongs to: 20 consecutive passages share one. */
  docId: string;
  topic: string;
  text: string;
  /** Topic terms and place names used in the text, for deriving questions. */
  keyTerms: string[];
  /** Place names in the text. */
  places: string[];
}

export interface SyntheticQuery {
  id: string;
  text: string;
  /** Index and id of the passage the question was derived from. */
  sourceIndex: number;
  sourceId: string;
  /** The passage terms the question uses. */
  terms: string[];
}

/** Passages per synthetic speech. */
export const PASSAGES_PER_DOCUMENT = 20;
export const MIN_PASSAGE_CHARS = 150;
export const MAX_PASSAGE_CHARS = 300;

const placeName = (rng: Rng, suffixes: readonly string[]) => pick(rng, NAME_1) + pick(rng, NAME_2) + pick(rng, suffixes);

function dateOf(rng: Rng): string {
  const r = rng();
  if (r < 0.45) return pick(rng, RELATIVE_DATES);
  const y = int(rng, 2015, 2025);
  const m = int(rng, 1, 12);
  return r < 0.75 ? `${y}年${m}月` : `${y}年${m}月${int(rng, 1, 28)}日`;
}

const percent = (rng: Rng) => `${int(rng, 3, 98)}${rng() < 0.6 ? `.${int(rng, 0, 9)}` : ''}%`;

const SLOT = /\{(\w+)\}/gu;

interface Context {
  rng: Rng;
  topic: Topic;
  county: string;
  town: string;
  village: string;
  keyTerms: Set<string>;
  places: Set<string>;
}

function fill(template: string, c: Context, topic: Topic): string {
  const { rng } = c;
  let first: string | undefined;
  return template.replace(SLOT, (_m, slot: string) => {
    switch (slot) {
      case 'T': {
        first = pick(rng, topic.terms);
        c.keyTerms.add(first);
        return first;
      }
      case 'T2': {
        let t = pick(rng, topic.terms);
        if (t === first) t = pick(rng, topic.terms);
        c.keyTerms.add(t);
        return t;
      }
      case 'G':
        return pick(rng, topic.goals);
      case 'county':
        c.places.add(c.county);
        return c.county;
      case 'town':
        c.places.add(c.town);
        return c.town;
      case 'village':
        c.places.add(c.village);
        return c.village;
      case 'dept':
        return (rng() < 0.8 ? '县' : '市') + pick(rng, DEPARTMENTS);
      case 'role':
        return pick(rng, ROLES);
      case 'date':
        return dateOf(rng);
      case 'date2':
        return `${int(rng, 2016, 2025)}年${int(rng, 1, 12)}月底`;
      case 'sensitive':
        return pick(rng, SENSITIVE_PERIODS);
      case 'n':
        return String(int(rng, 12, rng() < 0.5 ? 300 : 5000));
      case 'n2':
        return String(int(rng, 3, 400));
      case 'n3':
        return String(int(rng, 1, 120));
      case 'pct':
        return percent(rng);
      case 'd':
        return String(int(rng, 2, 15));
      case 'pct2':
        return `${int(rng, 1, 30)}个百分点`;
      default:
        throw new Error(`unknown template slot {${slot}}`);
    }
  });
}

/** Passage `index` of the corpus with `seed`: a pure function of both. */
export function syntheticPassage(index: number, seed = 1): SyntheticPassage {
  const doc = Math.floor(index / PASSAGES_PER_DOCUMENT);
  // The speech fixes the county and a main topic; each passage mostly follows them.
  const docRng = mulberry32(mix(seed, doc, 0xd0c));
  const county = placeName(docRng, COUNTY_SUFFIX);
  const docTopic = pick(docRng, TOPICS);
  const rng = mulberry32(mix(seed, index, 0x9a55));
  const topic = rng() < 0.6 ? docTopic : pick(rng, TOPICS);
  const second = pick(rng, TOPICS);
  const c: Context = { rng, topic, county, town: placeName(rng, TOWN_SUFFIX), village: placeName(rng, VILLAGE_SUFFIX), keyTerms: new Set(), places: new Set() };

  const target = int(rng, MIN_PASSAGE_CHARS + 10, MAX_PASSAGE_CHARS - 20);
  const parts: string[] = [];
  let length = 0;
  let used = 0;
  const seen = new Set<string>();
  /** A template not used yet in this passage (a few tries). */
  const fresh = (templates: readonly string[]) => {
    let t = pick(rng, templates);
    for (let i = 0; i < 4 && seen.has(t); i++) t = pick(rng, templates);
    seen.add(t);
    return t;
  };
  while (length < target) {
    const r = rng();
    let sentence: string;
    if (r < 0.6) {
      sentence = fill(fresh(topic.templates), c, topic);
      used++;
    } else if (r < 0.75) sentence = fill(fresh(second.templates), c, second);
    else sentence = fill(fresh(FILLER), c, topic);
    if (parts.length > 0 && rng() < 0.25) sentence = pick(rng, OPENINGS) + sentence;
    // Every sentence is well under MAX - MIN characters, so stopping here leaves ≥ MIN.
    if (length + sentence.length > MAX_PASSAGE_CHARS) break;
    parts.push(sentence);
    length += sentence.length;
  }
  if (used === 0) {
    // Make sure the passage is about its topic: swap the last sentence for a topic one.
    const sentence = fill(fresh(topic.templates), c, topic);
    const last = parts.pop()!;
    if (length - last.length + sentence.length <= MAX_PASSAGE_CHARS && length - last.length + sentence.length >= MIN_PASSAGE_CHARS) parts.push(sentence);
    else parts.push(last);
  }
  const text = parts.join('');
  // A sentence filled but then not used may have added terms: keep those in the text.
  return {
    id: `syn-${index}`,
    index,
    docId: `syn-doc-${doc}`,
    topic: topic.name,
    text,
    keyTerms: [...c.keyTerms].filter((t) => text.includes(t)),
    places: [...c.places].filter((t) => text.includes(t)),
  };
}

/** The first `n` passages of the corpus with `seed`, one at a time. */
export function* syntheticPassages(n: number, seed = 1): Generator<SyntheticPassage> {
  for (let i = 0; i < n; i++) yield syntheticPassage(i, seed);
}

/**
 * `k` questions, each derived from a random passage among the first `n`: a subset of
 * its key terms (sometimes paraphrased) and, often, one of its place names, in a
 * question template. The source passage is known, so retrieval can be scored.
 */
export function syntheticQueries(k: number, seed = 1, n = 10_000): SyntheticQuery[] {
  const rng = mulberry32(mix(seed, 0x9e77, n));
  const out: SyntheticQuery[] = [];
  for (let q = 0; q < k; q++) {
    const sourceIndex = Math.floor(rng() * n);
    const p = syntheticPassage(sourceIndex, seed);
    const pool = [...p.keyTerms];
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const para = (t: string) => (SYNONYMS[t] && rng() < 0.35 ? pick(rng, SYNONYMS[t]) : t);
    const a = pool[0] ?? p.topic;
    const b = pool[1] ?? p.topic;
    let template = pick(rng, QUESTION_TEMPLATES);
    if (template.includes('{p}') && p.places.length === 0) template = QUESTION_TEMPLATES[1]!;
    const place = p.places.length ? pick(rng, p.places) : '';
    const terms: string[] = [];
    const text = template.replace(SLOT, (_m, slot: string) => {
      const value = slot === 'a' ? para(a) : slot === 'b' ? para(b) : place;
      terms.push(value);
      return value;
    });
    out.push({ id: `synq-${q}`, text, sourceIndex, sourceId: p.id, terms });
  }
  return out;
}

/** Names of the synthetic topics. */
export const SYNTHETIC_TOPICS: readonly string[] = TOPICS.map((t) => t.name);

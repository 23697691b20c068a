import yaml from 'js-yaml';
import { z } from 'zod';
import { UserFacingError } from '../errors.js';

/**
 * A domain pack: everything Yiju knows about the subject of its corpus, as
 * data the corpus carries (`corpus/yiju.domain.yaml`). The code holds the
 * mechanisms (query normalisation, cross-lingual expansion, answer-type
 * checks, follow-up rewriting, refusals); the pack holds their words. With no
 * pack, Yiju works with neutral wording and lists the documents' titles.
 */

/** The file name of a corpus' domain pack, beside its documents. */
export const DOMAIN_PACK_FILE = 'yiju.domain.yaml';

/** Text in each answer language. */
const Bilingual = z.object({ zh: z.string(), en: z.string() }).strict();

/** A regular expression source, checked when the pack is read. */
const Pattern = z
  .string()
  .min(1)
  .refine((s) => {
    try {
      new RegExp(s.replaceAll('{NUM}', '0'), 'u');
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

export const DomainPackSchema = z
  .object({
    /** What the corpus is about, as a phrase (e.g. "垃圾分类工作", "waste sorting"). */
    subject: Bilingual.optional(),
    /** What its documents are, as a noun ("讲话", "speeches"). */
    documents: Bilingual.optional(),
    /** Words of the chat page and the API description. */
    ui: z
      .object({
        title: Bilingual.optional(),
        greeting: Bilingual.optional(),
        placeholder: Bilingual.optional(),
        /** One sentence describing the service (page meta, OpenAPI). */
        description: Bilingual.optional(),
        /** The demo host page's heading and the widget title it sets. */
        demoHeading: z.string().optional(),
        widgetTitle: z.string().optional(),
      })
      .strict()
      .prefault({}),
    /** What the documents cover, said after a refusal (before the list of titles). */
    coverage: Bilingual.optional(),
    /** An example of a cited sentence for the model's instructions, without its marker. */
    citationExample: z.string().optional(),
    /**
     * Example questions for an empty chat, written as the tasks readers bring (what to do, who answers for it,
     * how often, which channel); without them, `exampleTemplate` makes examples from the domain terms.
     */
    examples: z.array(z.string().min(1)).max(8).default([]),
    /** Example questions for an empty chat: `{term}` is replaced by the domain terms the corpus uses most. */
    exampleTemplate: z.string().includes('{term}').optional(),
    /** Terms a general-purpose segmenter would split apart (a user dictionary for jieba). */
    terms: z.array(z.string().min(1)).default([]),
    /** Colloquial phrasings mapped to the documents' wording: when `match` is found, `add` is searched too. */
    synonyms: z.array(z.object({ match: Pattern, add: z.string().min(1) }).strict()).default([]),
    /** Cross-lingual vocabulary: an English pattern (whole words, case-insensitive) and the Chinese terms it stands for. */
    glossary: z.array(z.object({ en: Pattern, zh: z.string().min(1) }).strict()).default([]),
    /**
     * The levels a speech can be given at and a question can name (县级, 市级 …), each with the words that
     * say it (全县, 我县, 县里 …): a speech's level is read from its title and opening; a question naming
     * another level than its evidence is answered in part.
     */
    scopes: z
      .array(
        z
          .object({
            name: z.string().min(1),
            cues: z.array(z.string().min(1)).min(1),
            /** Shorter words that mention the level in evidence (县, 县级): evidence that mentions it matches a question naming it. */
            mentions: z.array(z.string().min(1)).default([]),
          })
          .strict(),
      )
      .default([]),
    /**
     * Words that say a question refers to one particular document ("那次", "讲话", "会上"): with a level, a
     * unit or a meeting named, the question is searched within the documents it names.
     */
    speechCues: z.array(Pattern).default([]),
    /** Words naming a level or unit; a follow-up naming another one swaps it into the previous question. */
    levels: z.array(z.string().min(1)).default([]),
    /**
     * Answer types: a question that `asks` for one is only answered by a
     * passage that matches `answeredBy` (`{NUM}` stands for a numeral).
     */
    answerTypes: z.array(z.object({ name: z.string().min(1), label: Bilingual, asks: Pattern, answeredBy: Pattern }).strict()).default([]),
    /**
     * Details a question can ask for (a name, a phone number, an address, an amount, a date, a figure, an article
     * number, the items of a named list): when the quoted evidence `asks` for one and none of it matches
     * `givenBy` with something the question does not already say, the answer is partial: the documents mention
     * the subject but do not give the detail.
     */
    details: z.array(z.object({ name: z.string().min(1), label: Bilingual, asks: Pattern, givenBy: Pattern }).strict()).default([]),
    /**
     * What a question asks for that an answering sentence shows by its wording (a way to act, for 怎么办: 要, 必须 …):
     * a sentence that shows it is preferred as the answer. Unlike details, none showing it does not make an answer
     * partial.
     */
    prefer: z.array(z.object({ name: z.string().min(1), asks: Pattern, shownBy: Pattern }).strict()).default([]),
    /**
     * Requests that are tasks, not questions about the documents (write, draft, translate, role-play,
     * get round the process): patterns (case-insensitive), and what to say instead.
     */
    /** Sentences that are never an answer, such as a meeting's opening line (patterns; titles and headings are known without). */
    nonAnswers: z.array(Pattern).default([]),
    tasks: z
      .object({ patterns: z.array(Pattern).default([]), reply: Bilingual.optional() })
      .strict()
      .prefault({}),
    /**
     * Questions that ask for Yiju's own view or a prediction (你觉得…, 明年会涨多少): the documents hold neither, so
     * they are answered "not in the documents" with this reply, however close their words are to a passage.
     */
    speculation: z
      .object({ patterns: z.array(Pattern).default([]), reply: Bilingual.optional() })
      .strict()
      .prefault({}),
  })
  .strict();

export type DomainPack = z.infer<typeof DomainPackSchema>;

/** Numerals as the documents write them (Arabic, full-width, Chinese). */
const NUM = '[0-9０-９一二三四五六七八九十百千两半几]+';

export interface AnswerType {
  name: string;
  label: { zh: string; en: string };
  asks: RegExp;
  answeredBy: RegExp;
}

export interface DetailType {
  name: string;
  label: { zh: string; en: string };
  asks: RegExp;
  /** Global: every match is checked against the question. */
  givenBy: RegExp;
}

/** A pack ready for use: patterns compiled, wording resolved (neutral where the pack says nothing). */
export interface Domain {
  /** The pack it was compiled from (packed into a Worker's bundle); undefined for the neutral domain. */
  pack?: DomainPack;
  /** Phrases for prompts and refusals; empty when the pack names no subject. */
  subject: { zh: string; en: string };
  /** The documents as a noun: "讲话"/"speeches", or ""/"documents" with no pack. */
  documents: { zh: string; en: string };
  ui: {
    title: { zh: string; en: string };
    greeting: { zh: string; en: string };
    placeholder: { zh: string; en: string };
    description: { zh: string; en: string };
    demoHeading: string;
    widgetTitle: string;
  };
  coverage?: { zh: string; en: string };
  citationExample: string;
  /** The pack's own example questions (none: made from the template). */
  examples: readonly string[];
  exampleTemplate: string;
  terms: readonly string[];
  synonyms: readonly (readonly [RegExp, string])[];
  glossary: readonly { re: RegExp; zh: string }[];
  levels: readonly string[];
  scopes: readonly { name: string; cues: readonly string[]; mentions: readonly string[] }[];
  speechCues: readonly RegExp[];
  answerTypes: readonly AnswerType[];
  details: readonly DetailType[];
  /** What a question asks for that an answering sentence shows by its wording (preferred, never required). */
  prefer: readonly { name: string; asks: RegExp; shownBy: RegExp }[];
  /** Sentences never quoted as answers (besides titles and headings). */
  nonAnswers: readonly RegExp[];
  /** Task requests (not questions) and the reply to them. */
  tasks: { patterns: readonly RegExp[]; reply: { zh: string; en: string } };
  speculation: { patterns: readonly RegExp[]; reply: { zh: string; en: string } };
}

/** Compiles a validated pack. */
export function compileDomain(pack: DomainPack): Domain {
  const documents = pack.documents ?? { zh: '', en: 'documents' };
  const subject = pack.subject ?? { zh: '', en: '' };
  const ui = pack.ui;
  return {
    pack,
    subject,
    documents,
    ui: {
      title: ui.title ?? { zh: '依据 · 问答', en: 'Yiju · Q&A' },
      greeting: ui.greeting ?? {
        zh: `您好！我根据${documents.zh || '文档'}原文回答问题，每个回答都注明出处。`,
        en: `Hello! I answer questions from the ${documents.en}, citing every source.`,
      },
      placeholder: ui.placeholder ?? { zh: '输入问题', en: 'Ask a question' },
      description: ui.description ?? {
        zh: `根据${documents.zh || '文档'}原文回答问题，每个回答都注明出处。`,
        en: `Grounded answers from the ${documents.en}, citing the exact passages used.`,
      },
      demoHeading: ui.demoHeading ?? '示例网站',
      widgetTitle: ui.widgetTitle ?? ui.title?.zh ?? '问答',
    },
    ...(pack.coverage ? { coverage: pack.coverage } : {}),
    citationExample: pack.citationExample ?? '……',
    examples: pack.examples,
    exampleTemplate: pack.exampleTemplate ?? `${documents.zh || '文档'}对“{term}”有哪些要求？`,
    terms: pack.terms,
    synonyms: pack.synonyms.map(({ match, add }) => [new RegExp(match, 'u'), add] as const),
    glossary: pack.glossary.map(({ en, zh }) => ({ re: new RegExp(`\\b(?:${en})\\b`, 'giu'), zh })),
    levels: pack.levels,
    scopes: pack.scopes,
    speechCues: pack.speechCues.map((p) => new RegExp(p, 'gu')),
    nonAnswers: pack.nonAnswers.map((p) => new RegExp(p, 'u')),
    tasks: {
      patterns: pack.tasks.patterns.map((p) => new RegExp(p, 'iu')),
      reply: pack.tasks.reply ?? {
        zh: `这是一项写作或办理类请求，不是关于${documents.zh || '文档'}内容的问题。依据只回答${documents.zh || '文档'}里说了什么，并注明出处；可以就具体内容提问。`,
        en: `This is a request to produce something, not a question about the ${documents.en}. Yiju answers what the ${documents.en} say, citing them; ask about their content instead.`,
      },
    },
    speculation: {
      patterns: pack.speculation.patterns.map((p) => new RegExp(p, 'iu')),
      reply: pack.speculation.reply ?? {
        zh: `${documents.zh || '文档'}里没有对此的看法或预测。依据只回答${documents.zh || '文档'}里说了什么，并注明出处。`,
        en: `The ${documents.en} hold no such view or prediction. Yiju answers what the ${documents.en} say, citing them.`,
      },
    },
    prefer: pack.prefer.map((t) => ({ name: t.name, asks: new RegExp(t.asks, 'iu'), shownBy: new RegExp(t.shownBy, 'u') })),
    details: pack.details.map((t) => ({
      name: t.name,
      label: t.label,
      asks: new RegExp(t.asks.replaceAll('{NUM}', NUM), 'iu'),
      givenBy: new RegExp(t.givenBy.replaceAll('{NUM}', NUM), 'gu'),
    })),
    answerTypes: pack.answerTypes.map((t) => ({
      name: t.name,
      label: t.label,
      asks: new RegExp(t.asks.replaceAll('{NUM}', NUM), 'iu'),
      answeredBy: new RegExp(t.answeredBy.replaceAll('{NUM}', NUM), 'u'),
    })),
  };
}

/** The domain of a corpus that carries no pack: neutral wording, no domain vocabulary. */
export const NEUTRAL_DOMAIN: Domain = { ...compileDomain(DomainPackSchema.parse({})), pack: undefined };

/** A domain pack that cannot be used, with where and why. */
export class DomainPackError extends UserFacingError {
  override name = 'DomainPackError';
}

/** Reads a pack from its YAML text (`source` names it in errors). */
export function parseDomainPack(text: string, source = DOMAIN_PACK_FILE): DomainPack {
  let raw: unknown;
  try {
    raw = yaml.load(text, { schema: yaml.CORE_SCHEMA }) ?? {};
  } catch (err) {
    throw new DomainPackError(
      `${source} is not valid YAML: ${(err as Error).message.split('\n')[0]}`,
      `fix ${source}, or remove it to run with neutral wording.`,
    );
  }
  const parsed = DomainPackSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new DomainPackError(
      `${source} is not a valid domain pack:\n${lines.join('\n')}`,
      `fix ${source} (see docs/domain-pack.md), or remove it to run with neutral wording.`,
    );
  }
  return parsed.data;
}

/** The domain of a pack's YAML text, or the neutral domain when there is none. */
export const domainFromYaml = (text: string | undefined, source?: string): Domain =>
  text === undefined ? NEUTRAL_DOMAIN : compileDomain(parseDomainPack(text, source));

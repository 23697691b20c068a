/**
 * fast-check arbitraries for the reliability tests (not a test file itself):
 * hostile strings, numbers and JSON shaped like Yiju's request bodies, raw
 * bodies, query strings, paths, methods and header sets.
 */
import fc from 'fast-check';

export const QUESTIONS = [
  '初信初访应该怎么处理？',
  '越级访怎么处理',
  '乡镇多久排查一次矛盾纠纷？',
  '今天北京天气怎么样？',
  'What does the speech say about petitions?',
  '信访',
];
export const DOC_IDS = ['000_7cd7c9b623be1726', '001_0ef072b5e6e0e6d4', '002_748bcc23fd16065f', '003_31579fd67cce0887', '004_eb5cec7fe4abb257'];

/** Strings that have broken parsers, validators, loggers and templates somewhere. */
export const SPICY = [
  '',
  ' ',
  '\t',
  '\n',
  '\r\n',
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\u202e',
  '\u200f',
  '\u200b',
  '\u2066',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '\ud800',
  '\udfff',
  '\ud83d',
  '\ude00',
  '😀',
  '👨‍👩‍👧‍👦',
  '🇨🇳',
  '𠀀',
  '𪚥',
  'e\u0301\u0301\u0301',
  'ﷺ',
  '\u0627\u0644\u0633\u0644\u0627\u0645',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '<x-fuzz>',
  '<x-fuzz onerror=alert(1)>',
  '"><x-fuzz>',
  "'; DROP TABLE feedback; --",
  '${7*7}',
  '{{7*7}}',
  '%s%s%n',
  '%00',
  '%E4%B8',
  '../../etc/passwd',
  '..\\..\\windows',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  '0x10',
  '\\u0000',
  '\\ud800',
  'ans_',
  'ans_0',
  'a'.repeat(101),
];

const latin1 = fc
  .integer({ min: 0x20, max: 0xff })
  .filter((c) => c !== 0x7f)
  .map((c) => String.fromCharCode(c));
/** A header value Node's client will send (latin-1, no control characters). */
export const headerValue = (maxLength = 60) => fc.string({ unit: latin1, maxLength });

/** Strings of every kind, including lone surrogates and control characters. */
export const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...QUESTIONS) },
  { weight: 3, arbitrary: fc.constantFrom(...SPICY) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.constantFrom(...QUESTIONS), fc.constantFrom(...SPICY), fc.nat(20)).map(([q, s, i]) => q.slice(0, i) + s + q.slice(i)),
  },
  {
    weight: 1,
    // Around the 2000-character question limit and well beyond it (but within the body limit).
    arbitrary: fc
      .tuple(fc.constantFrom('问', 'a', ' ', '😀', '\u202e', '信访'), fc.oneof(fc.integer({ min: 1995, max: 2005 }), fc.integer({ min: 1, max: 9000 })))
      .map(([c, n]) => c.repeat(n).slice(0, n)),
  },
);

export const number = fc.oneof(
  fc.integer(),
  fc.integer({ min: -3, max: 60 }),
  fc.double(),
  fc.constantFrom(0, -0, 1, 5, 20, 21, 50, 51, 1.5, 1e308, -1e308, 2 ** 53 + 2, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER),
  fc.constantFrom('NaN', 'Infinity', '5', '1e3', '0x10', '-1', ''),
);

/** Any JSON value of a type a field does not expect. */
export const wild: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: text },
  { weight: 2, arbitrary: number },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(text, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'role', 'content', 'type', 'text', 'x'), text, { maxKeys: 3 }) },
);

/** Usually a plausible value for the field, sometimes anything. */
const field = <T>(nice: fc.Arbitrary<T>, niceWeight = 3): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: niceWeight, arbitrary: nice as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: wild });

export const FIELD_NAMES = [
  'question',
  'history',
  'topK',
  'k',
  'rating',
  'answerId',
  'comment',
  'messages',
  'stream',
  'model',
  'max_tokens',
  'temperature',
  'n',
  'tools',
  'role',
  'content',
  '__proto__',
  'constructor',
];
/** Extra keys the schema does not know (mixed with the real names of other endpoints). */
const extras = fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 12 })), wild, { maxKeys: 3 });

const merge = ([known, more]: [Record<string, unknown>, Record<string, unknown>]) => ({ ...more, ...known });

const turn = fc.record({ role: field(fc.constantFrom('user', 'assistant', 'system')), content: field(text) }, { requiredKeys: [] });

/** Characters that are valid in a question but unusual: direction marks, zero widths, emoji, astral Han, markup. */
const ODD_BUT_VALID = [
  '\u202e',
  '\u200f',
  '\u200b',
  '\u2066',
  '\ufeff',
  '\u00a0',
  '\u2028',
  '\t',
  '\n',
  '😀',
  '👨‍👩‍👧‍👦',
  '🇨🇳',
  '𠀀',
  'e\u0301\u0301',
  '<x-fuzz>',
  "'; DROP TABLE feedback; --",
  '${7*7}',
  '%s%n',
  '../../etc/passwd',
  'ﷺ',
];
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/u;

/** Text the API must accept as a question (1–2000 characters after trimming, no controls, no lone surrogates), odd as it may be. */
export const validText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...QUESTIONS) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.constantFrom(...QUESTIONS), fc.constantFrom(...ODD_BUT_VALID), fc.nat(20)).map(([q, s, i]) => q.slice(0, i) + s + q.slice(i)),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).filter((t) => !!t.trim() && !CONTROL.test(t)) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('问', '信访工作', '😀', 'a '), fc.integer({ min: 1, max: 500 })).map(([c, n]) => `${c.repeat(n)}x`.slice(-2000)),
  },
);

const validTurn = fc.record({ role: fc.constantFrom('user', 'assistant'), content: validText });
const validAsk = fc.record(
  { question: validText, history: fc.array(validTurn, { maxLength: 6 }), topK: fc.integer({ min: 1, max: 20 }) },
  { requiredKeys: ['question'] },
);

const fuzzAsk = fc
  .tuple(
    fc.record(
      {
        question: field(text, 5),
        history: field(fc.array(fc.oneof({ weight: 5, arbitrary: turn }, { weight: 1, arbitrary: wild }), { maxLength: 42 })),
        topK: field(fc.integer({ min: -1, max: 60 })),
      },
      { requiredKeys: [] },
    ),
    extras,
  )
  .map(merge);

export const askBody = fc.oneof(validAsk, fuzzAsk);

const validFeedback = fc.record(
  { answerId: fc.stringMatching(/^ans_[0-9a-f]{32}$/u), question: validText, rating: fc.constantFrom('up', 'down'), comment: validText },
  { requiredKeys: ['rating', 'question'] },
);

const fuzzFeedback = fc
  .tuple(
    fc.record(
      {
        answerId: field(fc.oneof(fc.stringMatching(/^[\w-]{1,100}$/u), fc.constantFrom('ans_0', 'ans_' + 'f'.repeat(32)))),
        question: field(text),
        rating: field(fc.constantFrom('up', 'down', 'UP', 'meh')),
        comment: field(
          fc.oneof(
            text,
            fc.nat(2100).map((n) => '差'.repeat(n)),
          ),
        ),
      },
      { requiredKeys: [] },
    ),
    extras,
  )
  .map(merge);

const part = fc.oneof(fc.record({ type: field(fc.constantFrom('text', 'image_url', 'input_text')), text: field(text) }, { requiredKeys: [] }), wild);
const message = fc
  .tuple(
    fc.record(
      {
        role: field(fc.constantFrom('user', 'user', 'assistant', 'system', 'developer', 'tool', 'function', 'robot')),
        content: field(fc.oneof(text, fc.array(part, { maxLength: 4 }), fc.constant(null))),
        name: field(fc.string({ maxLength: 10 }), 1),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(fc.constantFrom('tool_calls', 'refusal', 'x'), wild, { maxKeys: 1 }),
  )
  .map(merge);

export const feedbackBody = fc.oneof(validFeedback, fuzzFeedback);

const validCompletion = fc.record(
  {
    model: fc.constantFrom('yiju', 'gpt-4o-mini'),
    messages: fc
      .tuple(fc.array(fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: validText }), { maxLength: 4 }), validText, fc.boolean())
      .map(([before, q, parts]) => [...before, { role: 'user', content: parts ? [{ type: 'text', text: q }] : q }]),
    stream: fc.boolean(),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
  },
  { requiredKeys: ['model', 'messages'] },
);

const fuzzCompletion = fc
  .tuple(
    fc.record(
      {
        model: field(fc.constantFrom('yiju', 'gpt-4o', '', 'x'.repeat(201))),
        messages: field(
          fc.oneof(
            { weight: 4, arbitrary: fc.tuple(fc.array(message, { maxLength: 4 }), text).map(([before, q]) => [...before, { role: 'user', content: q }]) },
            { weight: 2, arbitrary: fc.array(message, { maxLength: 6 }) },
            { weight: 1, arbitrary: fc.nat(105).map((n) => Array.from({ length: n }, () => ({ role: 'user', content: '问' }))) },
          ),
          5,
        ),
        stream: field(fc.boolean()),
        max_tokens: field(number, 1),
        temperature: field(number, 1),
        n: field(number, 1),
        tools: field(fc.array(wild, { maxLength: 2 }), 1),
        stream_options: field(fc.record({ include_usage: fc.boolean() }), 1),
      },
      { requiredKeys: [] },
    ),
    extras,
  )
  .map(merge);

export const completionBody = fc.oneof(validCompletion, fuzzCompletion);

/** Sometimes not an object at all. */
export const topLevel = (object: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 12, arbitrary: object }, { weight: 1, arbitrary: wild }, { weight: 1, arbitrary: fc.array(object, { maxLength: 2 }) });

const enc = new TextEncoder();
export const utf8 = (s: string) => enc.encode(s);

/** JSON.stringify keeps lone surrogates as \ud800 escapes (well-formed JSON.stringify). */
export const jsonBytes = (v: unknown) => utf8(JSON.stringify(v) ?? 'null');

/** Raw bodies that are not (quite) JSON. */
export const rawBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  // Valid JSON cut short.
  fc.oneof(askBody, feedbackBody, completionBody).chain((b) => {
    const t = JSON.stringify(b);
    return fc.nat(Math.max(0, t.length - 1)).map((i) => utf8(t.slice(0, i)));
  }),
  // Invalid UTF-8 spliced into valid JSON.
  fc
    .tuple(
      askBody,
      fc.constantFrom([0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xe4, 0xb8], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]),
      fc.nat(),
    )
    .map(([b, bad, at]) => {
      const bytes = jsonBytes(b);
      const i = bytes.length ? at % bytes.length : 0;
      return new Uint8Array([...bytes.subarray(0, i), ...bad, ...bytes.subarray(i)]);
    }),
  // Deep nesting, closed or not.
  fc
    .tuple(fc.constantFrom('[', '{"a":', '[{"question":', '{"question":{"question":', '{"history":['), fc.integer({ min: 1, max: 40_000 }), fc.boolean())
    .map(([open, n, close]) => {
      const body = open.repeat(n);
      if (!close) return utf8(body);
      const closer = [...open]
        .filter((c) => c === '[' || c === '{')
        .map((c) => (c === '[' ? ']' : '}'))
        .reverse()
        .join('');
      return utf8(`${body}1${closer.repeat(n)}`);
    }),
  // Prototype pollution, duplicated keys, odd encodings.
  fc
    .constantFrom(
      '{"__proto__":{"question":"初信初访怎么处理？"}}',
      '{"question":"初信初访怎么处理？","__proto__":{"topK":100,"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}},"question":"初信初访怎么处理？"}',
      '{"question":"初信初访怎么处理？","question":{"$gt":""}}',
      '{"question":1,"question":"初信初访应该怎么处理？"}',
      '{"rating":"up","rating":"down","question":"q","question":null}',
      '{"model":"yiju","messages":[{"role":"user","content":"越级访怎么处理"}],"messages":"x"}',
      '{"question":"\\ud800\\udc00\\udc00"}',
      '{"question":"\\u0000"}',
      '{"question":"初信初访怎么处理？"} trailing',
      '{"question":"初信初访怎么处理？"}\u0000',
      '\ufeff{"question":"初信初访怎么处理？"}',
      '{"question":"初信初访怎么处理？",}',
      "{'question':'初信初访怎么处理？'}",
      '{"question":"初信初访怎么处理？"}{"question":"x"}',
      '{"topK":1e999,"question":"初信初访怎么处理？"}',
      '{"topK":-0,"question":"初信初访怎么处理？"}',
      '{"topK":5.0,"question":"初信初访怎么处理？"}',
      '{"topK":1.0000000000000001,"question":"初信初访怎么处理？"}',
      'null',
      'true',
      '0',
      '""',
      '[]',
      '{}',
      ' ',
      '\n\t\r ',
      '',
    )
    .map(utf8),
  askBody.map((b) => new Uint8Array(Buffer.from(JSON.stringify(b), 'utf16le'))),
);

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      undefined,
      '',
      'text/plain',
      'application/json; charset=latin1',
      'application/json; charset=utf-8',
      'application/json;charset="UTF-8"',
      'application/json; charset=utf-16',
      'application/json; charset=',
      'application/json; boundary=x; charset=utf-8; charset=latin1',
      'multipart/form-data; boundary=----x',
      'application/x-www-form-urlencoded',
      'application/vnd.api+json',
      'APPLICATION/JSON',
      'application/jsonx',
      'application/json, text/plain',
      'application/*',
      '*/*',
    ),
  },
  { weight: 1, arbitrary: headerValue(40) },
);

/**
 * Percent-encodes any string, including lone surrogates (as the bytes ED A0 80 …,
 * which are not UTF-8): what a buggy or hostile client could send.
 */
export function percentEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

/** Garbage as it may appear in a URL: broken escapes, raw punctuation and (latin-1) bytes Node's client still sends. */
export const urlGarbage = fc.oneof(
  fc.constantFrom(
    '%',
    '%%',
    '%E4%B8',
    '%E4%B8%',
    '%zz',
    '%u4E2D',
    '%C0%AF',
    '%ED%A0%80',
    '%FF%FE',
    '%00',
    '%0A',
    '%0D%0A',
    '%2F',
    '%5C',
    '%2e%2e',
    '%252F',
    '+',
    '++',
    '"<x-fuzz>"',
    '{}|^`',
    '[]',
    ';',
    ',',
    '\\',
    '..',
    '&&',
    '==',
  ),
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 20 }).filter((s) => !s.includes('#')),
  fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 4 }),
);

/** A query value: encoded text, garbage, or long. */
export const queryValue = fc.oneof(
  { weight: 4, arbitrary: text.map(percentEncode) },
  { weight: 2, arbitrary: fc.constantFrom(...QUESTIONS).map(encodeURIComponent) },
  { weight: 2, arbitrary: urlGarbage },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('问', 'a', '%', '%E4%B8', 'x+'), fc.integer({ min: 1, max: 6000 }))
      .map(([c, n]) => (c.length === 1 && c !== '%' ? percentEncode(c.repeat(n)) : c.repeat(n))),
  },
);

/** Percent-encodes only what Node's client refuses to put in a request target (controls, space, above U+00FF). */
export const sendable = (s: string) => s.replace(/[^\u0021-\u00ff]/gu, (c) => percentEncode(c));

export const kValue = fc
  .oneof(
    fc.integer({ min: -5, max: 60 }).map(String),
    fc.constantFrom(
      '',
      ' 5',
      '5 ',
      '+5',
      '05',
      '0005',
      '5.0',
      '2.5',
      '1e1',
      '0x10',
      'five',
      '五',
      'NaN',
      'Infinity',
      '-0',
      '9'.repeat(400),
      '%35',
      '%E4%B8',
      'null',
      '[]',
    ),
    fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
    urlGarbage,
  )
  .map(sendable);

export const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;

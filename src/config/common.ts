import { z } from 'zod';
import { bool, ConfigError, group, int, list, proxyHops, setting } from './settings.js';

/**
 * The settings both runtimes read: the HTTP app's limits, keys and logging,
 * how many passages an answer uses, and the chat model. Node adds paths,
 * the embedding model and the index (src/node/config.ts); the Worker adds its
 * bindings' models (src/workers/config.ts).
 */

/** Passages per answer or search when the request does not say, and the most a request may ask for. */
export const retrievalSettings = {
  topK: setting('YIJU_TOP_K', int(1, 50).default(5), 'Passages per answer or search when the request does not say (`topK`, `k`, `--top`).'),
  maxTopK: setting('YIJU_MAX_TOP_K', int(1, 200).default(50), 'The most passages one request may ask for, on every route and the CLI.'),
};

export const httpSettings = {
  apiKeys: setting('YIJU_API_KEYS', list.default([]), 'Bearer keys; when any are set, /api/* and /v1/* need one (health and the API reference stay open).', {
    secret: true,
  }),
  corsOrigins: setting('YIJU_CORS_ORIGINS', list.default([]), 'Origins allowed to call the API from a browser (`*` for any). Empty: same-origin only.'),
  rateLimit: setting('YIJU_RATE_LIMIT', int(0, 1_000_000).default(60), 'Requests per window per API key or client address; 0 turns rate limiting off.'),
  rateWindowSeconds: setting('YIJU_RATE_WINDOW_SECONDS', int(1, 86_400).default(60), 'The rate-limit window.'),
  trustProxy: setting(
    'YIJU_TRUST_PROXY',
    proxyHops.default(0),
    'How many proxies you trust append to X-Forwarded-For (yes = 1): the client address is the one the outermost of them appended, counted from the right; what the client itself sent is never used. no (0): the connection address.',
  ),
  maxQuestionChars: setting('YIJU_MAX_QUESTION_CHARS', int(10, 100_000).default(2000), 'Longest question accepted, in characters.'),
  maxBodyBytes: setting('YIJU_MAX_BODY_BYTES', int(1024, 10 * 1024 * 1024).default(128 * 1024), 'Largest request body accepted.'),
  logQuestions: setting('YIJU_LOG_QUESTIONS', bool.default(false), 'Log question text in request lines (off: questions are personal data).'),
  logLevel: setting('YIJU_LOG_LEVEL', z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'), 'Least severe log level written.'),
};

export const chatSettings = {
  /** `auto`: an OpenAI-compatible model when a key and a model are set, else extractive answers. */
  chat: setting(
    'YIJU_CHAT',
    z.enum(['auto', 'none', 'openai', 'workers-ai']).default('auto'),
    'Who writes answers: `auto` (an OpenAI-compatible model when OPENAI_API_KEY and YIJU_CHAT_MODEL are set, else offline quotes), `none`, `openai`, or `workers-ai` (Workers only).',
  ),
  openai: group({
    apiKey: setting(
      'OPENAI_API_KEY',
      z.string().min(1).optional(),
      'Key for the OpenAI-compatible endpoint (any non-empty value for local servers such as vLLM or Ollama).',
      { secret: true, aliases: ['YIJU_OPENAI_API_KEY'] },
    ),
    baseURL: setting('OPENAI_BASE_URL', z.string().url().optional(), 'The endpoint, e.g. https://api.deepseek.com/v1 (default: OpenAI).', {
      aliases: ['YIJU_OPENAI_BASE_URL'],
    }),
    chatModel: setting('YIJU_CHAT_MODEL', z.string().min(1).optional(), 'The chat model; with a key it turns on generative answers.'),
    timeoutMs: setting(
      'YIJU_OPENAI_TIMEOUT_MS',
      z.coerce.number().int().positive().default(30_000),
      'Time allowed per model request (also the longest silence in a stream).',
    ),
    maxRetries: setting('YIJU_OPENAI_MAX_RETRIES', int(0, 10).default(2), 'Retries of a failed model request (429, 5xx, connection errors).'),
  }),
};

/** The settings every runtime has. */
export const commonSettings = {
  http: group(httpSettings),
  retrieval: group(retrievalSettings),
  ...chatSettings,
  embeddingDimensions: setting(
    'YIJU_EMBEDDING_DIMENSIONS',
    z.coerce.number().int().positive().optional(),
    "Output size of the embedding model, when it can be chosen (OpenAI text-embedding-3-*; Workers AI default: 1024, bge-m3's).",
  ),
};

/** What the HTTP app is told: its own settings and the passage limits (tests parse partial options with it). */
export const HttpOptionsSchema = z.object({ ...httpSettings, ...retrievalSettings });
export type HttpOptions = z.infer<typeof HttpOptionsSchema>;

/** The app's options from a runtime's configuration. */
export const httpOptionsOf = (config: {
  http: z.infer<z.ZodObject<typeof httpSettings>>;
  retrieval: z.infer<z.ZodObject<typeof retrievalSettings>>;
}): HttpOptions => ({
  ...config.http,
  topK: config.retrieval.topK,
  maxTopK: config.retrieval.maxTopK,
});

/** Rules between common settings, the same in both runtimes. */
export function checkCommon(
  config: { chat: string; openai: { apiKey?: string; chatModel?: string }; retrieval: { topK: number; maxTopK: number } },
  where = 'configuration',
): void {
  if (config.retrieval.topK > config.retrieval.maxTopK)
    throw new ConfigError(`Invalid ${where}:\n  YIJU_TOP_K (${config.retrieval.topK}) is larger than YIJU_MAX_TOP_K (${config.retrieval.maxTopK}).`);
  if ((config.chat === 'auto' || config.chat === 'openai') && config.openai.chatModel && !config.openai.apiKey) {
    throw new ConfigError(
      `Invalid ${where}:\n  YIJU_CHAT_MODEL needs OPENAI_API_KEY (any non-empty value for local servers such as vLLM or Ollama; on Workers: wrangler secret put OPENAI_API_KEY).`,
    );
  }
  if (config.chat === 'openai' && !(config.openai.apiKey && config.openai.chatModel))
    throw new ConfigError(`Invalid ${where}:\n  YIJU_CHAT=openai needs OPENAI_API_KEY and YIJU_CHAT_MODEL.`);
}

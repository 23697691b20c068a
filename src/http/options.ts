import { z } from 'zod';

/** Lists in the environment: comma-, "|"- or space-separated. */
const names = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(/[\s,|]+/u)).map((s) => s.trim()).filter(Boolean));
const bool = z.union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no'])]).transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');

/**
 * What the HTTP app needs to know: limits, keys, origins, logging. Plain zod,
 * no runtime imports, so the Node server and the Worker validate it the same way.
 */
export const HttpOptionsSchema = z.object({
  /** Bearer keys; when any are set, /api/* and /v1/* need one (health and the API reference stay open). */
  apiKeys: names.default([]),
  /** Origins allowed to call the API from a browser ("*" for any). Empty: same-origin only. */
  corsOrigins: names.default([]),
  /** Requests per window per API key or client address; 0 turns rate limiting off. */
  rateLimit: z.coerce.number().int().min(0).max(1_000_000).default(60),
  rateWindowSeconds: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Use the first X-Forwarded-For address as the client address (only behind a proxy you trust). */
  trustProxy: bool.default(false),
  maxQuestionChars: z.coerce.number().int().min(10).max(100_000).default(2000),
  maxBodyBytes: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(128 * 1024),
  /** Default and maximum passages per answer or search. */
  topK: z.coerce.number().int().min(1).max(50).default(5),
  /** Log question text in request lines (off: questions are personal data). */
  logQuestions: bool.default(false),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type HttpOptions = z.infer<typeof HttpOptionsSchema>;

/** Names of the environment variables behind each option (for error messages and docs). */
export const HTTP_ENV_NAMES: Record<keyof HttpOptions, string> = {
  apiKeys: 'YIJU_API_KEYS',
  corsOrigins: 'YIJU_CORS_ORIGINS',
  rateLimit: 'YIJU_RATE_LIMIT',
  rateWindowSeconds: 'YIJU_RATE_WINDOW_SECONDS',
  trustProxy: 'YIJU_TRUST_PROXY',
  maxQuestionChars: 'YIJU_MAX_QUESTION_CHARS',
  maxBodyBytes: 'YIJU_MAX_BODY_BYTES',
  topK: 'YIJU_TOP_K',
  logQuestions: 'YIJU_LOG_QUESTIONS',
  logLevel: 'YIJU_LOG_LEVEL',
};

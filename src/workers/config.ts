import { z } from 'zod';
import { HTTP_ENV_NAMES, HttpOptionsSchema } from '../http/options.js';

/**
 * The Worker's configuration: `[vars]` in wrangler.toml and secrets
 * (`wrangler secret put`), read once per isolate, validated like the Node
 * server's. Names match the Node server's where they mean the same thing.
 */
export const WorkerConfigSchema = z.object({
  http: HttpOptionsSchema.prefault({}),
  /**
   * `bundled`: the packed lexical index, no bindings needed. `vectorize`:
   * hybrid retrieval with Workers AI embeddings and the Vectorize index.
   * `auto` (default): vectorize when both the AI and VECTORIZE bindings exist.
   */
  retrieval: z.enum(['auto', 'bundled', 'vectorize']).default('auto'),
  embeddingModel: z.string().min(1).default('@cf/baai/bge-m3'),
  embeddingDimensions: z.coerce.number().int().positive().default(1024),
  /** `auto`: OpenAI-compatible when a key and model are set, else extractive answers. */
  chat: z.enum(['auto', 'none', 'openai', 'workers-ai']).default('auto'),
  openai: z.object({
    apiKey: z.string().min(1).optional(),
    baseURL: z.string().url().optional(),
    chatModel: z.string().min(1).optional(),
    timeoutMs: z.coerce.number().int().positive().default(30_000),
    maxRetries: z.coerce.number().int().min(0).max(10).default(2),
  }).prefault({}),
  workersAiChatModel: z.string().min(1).optional(),
});

export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

const ENV_NAMES: Record<string, string> = {
  retrieval: 'YIJU_RETRIEVAL',
  embeddingModel: 'YIJU_WORKERS_AI_EMBEDDING_MODEL',
  embeddingDimensions: 'YIJU_EMBEDDING_DIMENSIONS',
  chat: 'YIJU_CHAT',
  'openai.apiKey': 'OPENAI_API_KEY',
  'openai.baseURL': 'OPENAI_BASE_URL',
  'openai.chatModel': 'YIJU_CHAT_MODEL',
  'openai.timeoutMs': 'YIJU_OPENAI_TIMEOUT_MS',
  'openai.maxRetries': 'YIJU_OPENAI_MAX_RETRIES',
  workersAiChatModel: 'YIJU_WORKERS_AI_CHAT_MODEL',
  ...Object.fromEntries(Object.entries(HTTP_ENV_NAMES).map(([k, v]) => [`http.${k}`, v])),
};

export class WorkerConfigError extends Error {
  override name = 'WorkerConfigError';
}

/** Reads the string variables among the Worker's bindings (others, such as AI or VECTORIZE, are ignored). */
export function loadWorkerConfig(env: Record<string, unknown>): WorkerConfig {
  const raw: Record<string, unknown> = {};
  for (const [path, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (typeof value !== 'string' || value === '') continue;
    const keys = path.split('.');
    let node = raw;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys.at(-1)!] = value;
  }
  const parsed = WorkerConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new WorkerConfigError(`invalid Worker configuration: ${parsed.error.issues.map((i) => `${ENV_NAMES[i.path.join('.')] ?? i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const config = parsed.data;
  if (config.chat === 'openai' && !(config.openai.apiKey && config.openai.chatModel)) {
    throw new WorkerConfigError('invalid Worker configuration: YIJU_CHAT=openai needs the OPENAI_API_KEY secret and YIJU_CHAT_MODEL');
  }
  if (config.openai.chatModel && !config.openai.apiKey && config.chat === 'auto') {
    throw new WorkerConfigError('invalid Worker configuration: YIJU_CHAT_MODEL needs the OPENAI_API_KEY secret (wrangler secret put OPENAI_API_KEY)');
  }
  return config;
}

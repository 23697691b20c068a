import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { HTTP_ENV_NAMES, HttpOptionsSchema } from '../http/options.js';

/**
 * Yiju's configuration: read once from the environment (and CLI flags) at the
 * entry point, validated, then passed down. Nothing below reads process.env.
 */
const bool = z.union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no'])]).transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');
const list = z.union([z.array(z.string()), z.string()]).transform((v) => (Array.isArray(v) ? v : v.split('|').map((s) => s.trim()).filter(Boolean)));

export const ConfigSchema = z.object({
  corpusDir: z.string().min(1).default('corpus'),
  dataDir: z.string().min(1).default('.yiju'),
  embedder: z.enum(['local', 'openai']).default('local'),
  model: z.object({
    /** A folder holding bge-small-zh-v1.5 (Transformers.js layout). */
    dir: z.string().min(1).optional(),
    /** Where Yiju keeps the model it obtains itself. */
    cacheDir: z.string().min(1).optional(),
    allowRemote: bool.default(true),
    threads: z.coerce.number().int().min(1).max(64).optional(),
  }).prefault({}),
  openai: z.object({
    apiKey: z.string().min(1).optional(),
    baseURL: z.string().url().optional(),
    embeddingModel: z.string().min(1).default('text-embedding-3-small'),
    /** Setting a chat model (with an API key) turns on the generative answer mode. */
    chatModel: z.string().min(1).optional(),
    embeddingDimensions: z.coerce.number().int().positive().optional(),
    timeoutMs: z.coerce.number().int().positive().default(30_000),
    maxRetries: z.coerce.number().int().min(0).max(10).default(2),
  }).prefault({}),
  chunkSize: z.coerce.number().int().min(80).max(2000).default(300),
  embedTitle: bool.default(false),
  /** Extra watermark strings to strip ("|"-separated in the environment). */
  watermarks: list.default([]),
  /** Extra segmentation terms ("|"-separated in the environment). */
  userTerms: list.default([]),
  retrieval: z.object({
    topK: z.coerce.number().int().min(1).max(50).default(5),
    hnswEf: z.coerce.number().int().min(10).max(2000).default(100),
    /** Query embeddings kept in memory (an LRU); repeated questions skip the model. 0 turns it off. */
    queryCache: z.coerce.number().int().min(0).max(1_000_000).default(1000),
  }).prefault({}),
  server: z.object({
    port: z.coerce.number().int().min(0).max(65535).default(8787),
    /** 127.0.0.1 keeps the server on this machine; 0.0.0.0 (containers) listens on every interface. */
    host: z.string().min(1).default('127.0.0.1'),
    /** How long in-flight requests may run after SIGTERM/SIGINT before connections are closed. */
    shutdownGraceMs: z.coerce.number().int().min(0).max(600_000).default(10_000),
  }).prefault({}),
  http: HttpOptionsSchema.prefault({}),
});

export type Config = z.infer<typeof ConfigSchema> & { model: { cacheDir: string } };
type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const ENV_NAMES: Record<string, string> = {
  corpusDir: 'YIJU_CORPUS_DIR', dataDir: 'YIJU_DATA_DIR', embedder: 'YIJU_EMBEDDER', 'model.dir': 'YIJU_MODEL_DIR',
  'model.cacheDir': 'YIJU_MODEL_CACHE', 'model.allowRemote': 'YIJU_ALLOW_REMOTE_MODELS', 'model.threads': 'YIJU_MODEL_THREADS',
  'openai.apiKey': 'OPENAI_API_KEY', 'openai.baseURL': 'OPENAI_BASE_URL', 'openai.embeddingModel': 'YIJU_EMBEDDING_MODEL',
  'openai.embeddingDimensions': 'YIJU_EMBEDDING_DIMENSIONS', 'openai.chatModel': 'YIJU_CHAT_MODEL', 'openai.timeoutMs': 'YIJU_OPENAI_TIMEOUT_MS', 'openai.maxRetries': 'YIJU_OPENAI_MAX_RETRIES',
  chunkSize: 'YIJU_CHUNK_SIZE', embedTitle: 'YIJU_EMBED_TITLE', watermarks: 'YIJU_WATERMARKS', userTerms: 'YIJU_USER_TERMS',
  'retrieval.topK': 'YIJU_TOP_K', 'retrieval.hnswEf': 'YIJU_HNSW_EF', 'retrieval.queryCache': 'YIJU_QUERY_CACHE',
  'server.port': 'PORT', 'server.host': 'HOST', 'server.shutdownGraceMs': 'YIJU_SHUTDOWN_GRACE_MS',
  ...Object.fromEntries(Object.entries(HTTP_ENV_NAMES).map(([k, v]) => [`http.${k}`, v])),
};

function fromEnv(env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, name] of Object.entries(ENV_NAMES)) {
    const value = env[name] ?? (name.startsWith('OPENAI_') ? env[`YIJU_${name}`] : undefined);
    if (value === undefined || value === '') continue;
    const keys = path.split('.');
    let node = out;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]!] = value;
  }
  return out;
}

/** Reads and validates configuration. Relative paths resolve against `cwd`. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const parsed = ConfigSchema.safeParse(fromEnv(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const path = i.path.join('.');
      return `  ${ENV_NAMES[path] ?? path}: ${i.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  if (config.openai.chatModel && !config.openai.apiKey) {
    throw new ConfigError('Invalid configuration:\n  YIJU_CHAT_MODEL needs OPENAI_API_KEY (any non-empty value for local servers such as vLLM or Ollama).');
  }
  if (config.embedder === 'openai' && !config.openai.apiKey) {
    throw new ConfigError('Invalid configuration:\n  YIJU_EMBEDDER=openai needs OPENAI_API_KEY (any non-empty value for local servers such as vLLM or Ollama).');
  }
  return {
    ...config,
    corpusDir: resolve(cwd, config.corpusDir),
    dataDir: resolve(cwd, config.dataDir),
    model: {
      ...config.model,
      dir: config.model.dir ? resolve(cwd, config.model.dir) : undefined,
      cacheDir: resolve(cwd, config.model.cacheDir ?? join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'yiju', 'models')),
    },
  };
}

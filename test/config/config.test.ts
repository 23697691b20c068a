import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/settings.js';
import { HttpOptionsSchema } from '../../src/http/options.js';
import { loadConfig } from '../../src/node/config.js';

const CWD = '/srv/yiju';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, CWD);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadConfig defaults', () => {
  const config = loadConfig({}, CWD);

  it('resolves the default folders against cwd', () => {
    expect(config.corpusDir).toBe('/srv/yiju/corpus');
    expect(config.dataDir).toBe('/srv/yiju/.yiju');
    expect(config.model.dir).toBeUndefined();
    expect(config.model.cacheDir).toBe(join(homedir(), '.cache', 'yiju', 'models'));
  });

  it('uses the local embedder, chunks of 300 and remote models allowed', () => {
    expect(config).toMatchObject({
      embedder: 'local',
      chunkSize: 300,
      embedTitle: false,
      watermarks: [],
      userTerms: [],
      model: { allowRemote: true },
      retrieval: { topK: 5, maxTopK: 50, hnswEf: 100, queryCache: 1000 },
      openai: { embeddingModel: 'text-embedding-3-small', timeoutMs: 30_000, maxRetries: 2 },
    });
    expect(config.openai.apiKey).toBeUndefined();
    expect(config.model.threads).toBeUndefined();
  });

  it('puts the model cache under XDG_CACHE_HOME when set', () => {
    expect(loadConfig({ XDG_CACHE_HOME: '/var/cache' }, CWD).model.cacheDir).toBe('/var/cache/yiju/models');
  });

  it('ignores empty variables', () => {
    expect(loadConfig({ YIJU_CHUNK_SIZE: '', YIJU_CORPUS_DIR: '' }, CWD)).toMatchObject({ chunkSize: 300, corpusDir: '/srv/yiju/corpus' });
  });
});

describe('loadConfig environment mapping', () => {
  it('maps every variable to its setting', () => {
    const config = loadConfig(
      {
        YIJU_CORPUS_DIR: '/data/speeches',
        YIJU_DATA_DIR: '/data/index',
        YIJU_EMBEDDER: 'openai',
        YIJU_MODEL_DIR: '/models/bge',
        YIJU_MODEL_CACHE: '/models/cache',
        YIJU_ALLOW_REMOTE_MODELS: '0',
        YIJU_MODEL_THREADS: '4',
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1',
        YIJU_EMBEDDING_MODEL: 'bge-m3',
        YIJU_EMBEDDING_DIMENSIONS: '1024',
        YIJU_OPENAI_TIMEOUT_MS: '5000',
        YIJU_OPENAI_MAX_RETRIES: '0',
        YIJU_CHUNK_SIZE: '400',
        YIJU_EMBED_TITLE: 'yes',
        YIJU_WATERMARKS: '来源：某网站| 转载请注明 |',
        YIJU_USER_TERMS: '接诉即办|网格化',
        YIJU_TOP_K: '8',
        YIJU_HNSW_EF: '200',
        YIJU_QUERY_CACHE: '50',
        PORT: '9000',
        HOST: '0.0.0.0',
        YIJU_SHUTDOWN_GRACE_MS: '2500',
        YIJU_HEADERS_TIMEOUT_MS: '5000',
        YIJU_REQUEST_TIMEOUT_MS: '20000',
        YIJU_MAX_CONNECTIONS_PER_ADDRESS: '0',
        YIJU_API_KEYS: 'key-one, key-two|key-three',
        YIJU_CORS_ORIGINS: 'https://example.org,https://gov.example.cn',
        YIJU_RATE_LIMIT: '30',
        YIJU_RATE_WINDOW_SECONDS: '10',
        YIJU_TRUST_PROXY: 'true',
        YIJU_MAX_QUESTION_CHARS: '500',
        YIJU_MAX_BODY_BYTES: '4096',
        YIJU_LOG_QUESTIONS: '1',
        YIJU_LOG_LEVEL: 'warn',
      },
      CWD,
    );
    expect(config).toEqual({
      corpusDir: '/data/speeches',
      dataDir: '/data/index',
      embedder: 'openai',
      model: { dir: '/models/bge', cacheDir: '/models/cache', allowRemote: false, threads: 4 },
      openai: { apiKey: 'sk-test', baseURL: 'http://127.0.0.1:8000/v1', embeddingModel: 'bge-m3', timeoutMs: 5000, maxRetries: 0 },
      chat: 'auto',
      embeddingDimensions: 1024,
      chunkSize: 400,
      embedTitle: true,
      watermarks: ['来源：某网站', '转载请注明'],
      userTerms: ['接诉即办', '网格化'],
      retrieval: { topK: 8, maxTopK: 50, hnswEf: 200, queryCache: 50 },
      server: { port: 9000, host: '0.0.0.0', shutdownGraceMs: 2500, headersTimeoutMs: 5000, requestTimeoutMs: 20_000, maxConnectionsPerAddress: 0 },
      http: {
        apiKeys: ['key-one', 'key-two', 'key-three'],
        corsOrigins: ['https://example.org', 'https://gov.example.cn'],
        rateLimit: 30,
        rateWindowSeconds: 10,
        trustProxy: 1,
        maxQuestionChars: 500,
        maxBodyBytes: 4096,
        logQuestions: true,
        logLevel: 'warn',
      },
    });
  });

  it('serves on 127.0.0.1:8787 with rate limiting on, no keys and no cross-origin access by default', () => {
    const config = loadConfig({}, CWD);
    expect(config.server).toEqual({
      port: 8787,
      host: '127.0.0.1',
      shutdownGraceMs: 10_000,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      maxConnectionsPerAddress: 128,
    });
    expect(config.http).toMatchObject({
      apiKeys: [],
      corsOrigins: [],
      rateLimit: 60,
      rateWindowSeconds: 60,
      trustProxy: 0,
      maxQuestionChars: 2000,
      logQuestions: false,
      logLevel: 'info',
    });
  });

  it('resolves relative paths against cwd', () => {
    const config = loadConfig({ YIJU_CORPUS_DIR: 'speeches', YIJU_DATA_DIR: '../data', YIJU_MODEL_DIR: './models/bge', YIJU_MODEL_CACHE: 'cache' }, CWD);
    expect(config.corpusDir).toBe('/srv/yiju/speeches');
    expect(config.dataDir).toBe('/srv/data');
    expect(config.model.dir).toBe('/srv/yiju/models/bge');
    expect(config.model.cacheDir).toBe('/srv/yiju/cache');
  });

  it('accepts the boolean spellings 1/0, true/false, yes/no', () => {
    for (const [v, expected] of [
      ['1', true],
      ['true', true],
      ['yes', true],
      ['0', false],
      ['false', false],
      ['no', false],
    ] as const) {
      expect(loadConfig({ YIJU_ALLOW_REMOTE_MODELS: v, YIJU_EMBED_TITLE: v }, CWD)).toMatchObject({ embedTitle: expected, model: { allowRemote: expected } });
    }
  });

  it('accepts YIJU_-prefixed OpenAI variables', () => {
    const config = loadConfig({ YIJU_EMBEDDER: 'openai', YIJU_OPENAI_API_KEY: 'sk-x', YIJU_OPENAI_BASE_URL: 'http://localhost:11434/v1' }, CWD);
    expect(config.openai).toMatchObject({ apiKey: 'sk-x', baseURL: 'http://localhost:11434/v1' });
  });

  it('does not read process.env when given an explicit environment', () => {
    const before = process.env.YIJU_CHUNK_SIZE;
    process.env.YIJU_CHUNK_SIZE = '999';
    try {
      expect(loadConfig({}, CWD).chunkSize).toBe(300);
    } finally {
      if (before === undefined) delete process.env.YIJU_CHUNK_SIZE;
      else process.env.YIJU_CHUNK_SIZE = before;
    }
  });
});

describe('loadConfig validation', () => {
  it.each([
    ['YIJU_CHUNK_SIZE', 'abc'],
    ['YIJU_CHUNK_SIZE', '10'],
    ['YIJU_CHUNK_SIZE', '300.5'],
    ['YIJU_EMBEDDER', 'bert'],
    ['YIJU_ALLOW_REMOTE_MODELS', 'maybe'],
    ['YIJU_EMBED_TITLE', '2'],
    ['YIJU_MODEL_THREADS', '0'],
    ['YIJU_TOP_K', '0'],
    ['YIJU_TOP_K', 'many'],
    ['YIJU_HNSW_EF', '5'],
    ['YIJU_QUERY_CACHE', '-1'],
    ['OPENAI_BASE_URL', 'not a url'],
    ['YIJU_EMBEDDING_DIMENSIONS', '-3'],
    ['YIJU_OPENAI_TIMEOUT_MS', 'soon'],
    ['YIJU_OPENAI_MAX_RETRIES', '99'],
    ['PORT', '70000'],
    ['PORT', 'http'],
    ['YIJU_RATE_LIMIT', '-1'],
    ['YIJU_MAX_QUESTION_CHARS', '0'],
    ['YIJU_MAX_BODY_BYTES', '10'],
    ['YIJU_TRUST_PROXY', 'sometimes'],
    ['YIJU_TRUST_PROXY', '-1'],
    ['YIJU_TRUST_PROXY', '11'],
    ['YIJU_LOG_LEVEL', 'loud'],
  ])('%s=%s is rejected with a ConfigError naming the variable', (name, value) => {
    const err = configError({ [name]: value });
    expect(err.message).toMatch(/^Invalid configuration:/u);
    expect(err.message).toContain(`  ${name}: `);
  });

  it('names every invalid variable at once', () => {
    const err = configError({ YIJU_CHUNK_SIZE: 'abc', YIJU_TOP_K: '0' });
    expect(err.message).toContain('YIJU_CHUNK_SIZE');
    expect(err.message).toContain('YIJU_TOP_K');
  });

  it('YIJU_EMBEDDER=openai without a key is rejected, naming OPENAI_API_KEY', () => {
    const err = configError({ YIJU_EMBEDDER: 'openai' });
    expect(err.message).toContain('YIJU_EMBEDDER=openai');
    expect(err.message).toContain('OPENAI_API_KEY');
  });

  it('an OpenAI key alone does not switch the embedder', () => {
    expect(loadConfig({ OPENAI_API_KEY: 'sk-x' }, CWD).embedder).toBe('local');
  });
});

describe('YIJU_TRUST_PROXY', () => {
  it.each([
    ['no', 0],
    ['yes', 1],
    ['true', 1],
    ['0', 0],
    ['1', 1],
    ['2', 2],
  ])('%s → %d trusted proxy hops', (value, hops) => {
    expect(HttpOptionsSchema.parse({ trustProxy: value }).trustProxy).toBe(hops);
  });
});

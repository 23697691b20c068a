import { z } from 'zod';
import { checkCommon, commonSettings, group, readSettings, setting } from '../config/index.js';

/**
 * The Worker's configuration: the common settings plus the models of its
 * bindings, from `[vars]` in wrangler.toml and secrets (`wrangler secret
 * put`), read once per isolate through the same declarations as the Node
 * server's.
 */
export const WorkerConfigSchema = z.object({
  ...commonSettings,
  workers: group({
    retrieval: setting(
      'YIJU_RETRIEVAL',
      z.enum(['auto', 'bundled', 'vectorize']).default('auto'),
      'Workers: `bundled` (the packed lexical index, no bindings), `vectorize` (hybrid with Workers AI embeddings and the Vectorize index), `auto` (vectorize when both the AI and VECTORIZE bindings exist).',
    ),
    embeddingModel: setting(
      'YIJU_WORKERS_AI_EMBEDDING_MODEL',
      z.string().min(1).default('@cf/baai/bge-m3'),
      'Workers: the Workers AI embedding model of Vectorize mode.',
    ),
    chatModel: setting('YIJU_WORKERS_AI_CHAT_MODEL', z.string().min(1).optional(), 'Workers: the Workers AI chat model with YIJU_CHAT=workers-ai.'),
  }),
});

export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

/** Reads the string variables among the Worker's bindings (others, such as AI or VECTORIZE, are ignored). */
export function loadWorkerConfig(env: Record<string, unknown>): WorkerConfig {
  const config = readSettings(WorkerConfigSchema, env, 'Worker configuration');
  checkCommon(config, 'Worker configuration');
  return config;
}

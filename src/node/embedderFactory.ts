import type { Config } from './config.js';
import type { Embedder } from '../core/ports.js';
import { OpenAIEmbedder } from '../adapters/embedders/openaiEmbedder.js';
import { TransformersEmbedder } from '../adapters/embedders/transformersEmbedder.js';
import { provisionModel } from '../adapters/models/provision.js';

/** Finds or obtains the local embedding model as configured (see provisionModel). */
export const provisionConfiguredModel = (config: Config, log: (line: string) => void = () => {}) =>
  provisionModel({ modelDir: config.model.dir, cacheDir: config.model.cacheDir, allowRemote: config.model.allowRemote, log });

/** Builds the configured embedder: local bge-small-zh (default) or an OpenAI-compatible endpoint. */
export async function createEmbedder(config: Config, log: (line: string) => void = () => {}): Promise<Embedder> {
  if (config.embedder === 'openai') {
    return new OpenAIEmbedder({
      apiKey: config.openai.apiKey!,
      baseURL: config.openai.baseURL,
      model: config.openai.embeddingModel,
      dimensions: config.embeddingDimensions,
      timeoutMs: config.openai.timeoutMs,
      maxRetries: config.openai.maxRetries,
    }).probe();
  }
  const model = await provisionConfiguredModel(config, log);
  return TransformersEmbedder.load({ model, threads: config.model.threads });
}

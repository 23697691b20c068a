import { basename, dirname } from 'node:path';
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import type { Embedder } from '../../core/ports.js';
import { BGE_SMALL_ZH } from '../models/bgeSmallZh.js';
import { ModelUnavailableError } from '../models/errors.js';
import type { ProvisionedModel } from '../models/provision.js';

export interface TransformersEmbedderOptions {
  model: ProvisionedModel;
  batchSize?: number;
  /** Model threads; onnxruntime defaults to all cores. */
  threads?: number;
}

/**
 * Local sentence embeddings with BAAI bge-small-zh-v1.5 (int8 ONNX) through
 * Transformers.js: CLS pooling, L2-normalised, BGE's instruction prefix on
 * queries only.
 */
export class TransformersEmbedder implements Embedder {
  readonly id = `local:${BGE_SMALL_ZH.hubId}:${BGE_SMALL_ZH.dtype}`;
  readonly dimensions = BGE_SMALL_ZH.dimensions;
  private readonly batchSize: number;

  private constructor(
    private readonly extractor: FeatureExtractionPipeline,
    batchSize: number,
  ) {
    this.batchSize = batchSize;
  }

  static async load(options: TransformersEmbedderOptions): Promise<TransformersEmbedder> {
    const { model } = options;
    let id: string;
    if (model.source === 'hub') {
      env.allowRemoteModels = true;
      env.allowLocalModels = false;
      env.cacheDir = model.cacheDir;
      id = model.hubId;
    } else {
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      env.localModelPath = dirname(model.dir) + '/';
      id = basename(model.dir);
    }
    try {
      const extractor = await pipeline('feature-extraction', id, {
        dtype: BGE_SMALL_ZH.dtype,
        ...(options.threads ? { session_options: { intraOpNumThreads: options.threads } } : {}),
      });
      return new TransformersEmbedder(extractor as FeatureExtractionPipeline, options.batchSize ?? 16);
    } catch (err) {
      const where = model.source === 'hub' ? `from the model hub (${model.hubId})` : `from ${model.dir}`;
      throw new ModelUnavailableError(
        `Could not load the embedding model ${where}: ${String((err as Error).message).split('\n')[0]}`,
        'run `npm run model`, or set YIJU_MODEL_DIR to a folder holding bge-small-zh-v1.5 (e.g. ../shared/models/bge-small-zh-v1.5).',
      );
    }
  }

  async embed(texts: string[], kind: 'query' | 'passage', onProgress?: (done: number) => void): Promise<Float32Array[]> {
    const inputs = kind === 'query' ? texts.map((t) => BGE_SMALL_ZH.queryPrefix + t) : texts;
    const out: Float32Array[] = [];
    for (let i = 0; i < inputs.length; i += this.batchSize) {
      const batch = inputs.slice(i, i + this.batchSize);
      const tensor = await this.extractor(batch, { pooling: 'cls', normalize: true });
      const data = tensor.data as Float32Array;
      const dims = this.dimensions;
      for (let j = 0; j < batch.length; j++) out.push(data.slice(j * dims, (j + 1) * dims));
      onProgress?.(out.length);
    }
    return out;
  }
}

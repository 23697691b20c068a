/**
 * Ports and adapters, checked: the RAG core, the configuration, the HTTP app and the Workers adapters
 * import nothing runtime-specific, so the same code runs on Node and on Cloudflare Workers; and
 * knowledge of one subject lives in the corpus' domain pack, not in the code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/corpus.js';

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });

const importsOf = (path: string) => [...readFileSync(path, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gmu)].map((m) => m[1]!);

/** Node built-ins and native add-ons: no Worker can load them. */
const NODE_PACKAGES = [
  /^node:/u,
  /^(fs|path|os|http|net|crypto|child_process|stream|url)$/u,
  /^hnswlib-node$/u,
  /^onnxruntime/u,
  /^@huggingface\/transformers$/u,
  /^@node-rs\//u,
  /^@hono\/node-server/u,
];

/** Node built-ins, native add-ons, and the Node-only layers of this repository. */
const RUNTIME_SPECIFIC = [...NODE_PACKAGES, /\/(adapters|node|cli)\//u];

describe.each(['src/core', 'src/config', 'src/http', 'src/adapters/workers'])('%s', (folder) => {
  const sources = files(join(REPO_ROOT, folder));

  it('has sources', () => expect(sources.length).toBeGreaterThan(0));

  it.each(sources.map((p) => [relative(REPO_ROOT, p), p]))('%s imports nothing runtime-specific', (_name, path) => {
    const bad = importsOf(path).filter((spec) => RUNTIME_SPECIFIC.some((re) => re.test(spec)));
    expect(bad).toEqual([]);
  });

  it('never reads process.env', () => {
    for (const path of sources) expect(readFileSync(path, 'utf8'), relative(REPO_ROOT, path)).not.toMatch(/process\.env/u);
  });
});

describe('src/workers (the Workers entry)', () => {
  const sources = files(join(REPO_ROOT, 'src/workers'));
  /** The Node-only adapters (native add-ons, files, model runtimes); the Worker may use the rest. */
  const NODE_ONLY = [
    ...NODE_PACKAGES,
    /\/(node|cli)\//u,
    /\/adapters\/(embedders\/transformers|segmenters|vectorstores\/hnsw|storage|corpus|models|feedback\/jsonl|lexicon)/u,
  ];

  it('has sources', () => expect(sources.length).toBeGreaterThan(0));

  it.each(sources.map((p) => [relative(REPO_ROOT, p), p]))('%s imports no Node-only module', (_name, path) => {
    expect(importsOf(path).filter((spec) => NODE_ONLY.some((re) => re.test(spec)))).toEqual([]);
  });

  it('never reads process.env (bindings arrive with each request)', () => {
    for (const path of sources) expect(readFileSync(path, 'utf8'), relative(REPO_ROOT, path)).not.toMatch(/process\.env/u);
  });
});

describe('domain knowledge lives in the domain pack', () => {
  /** Words of petition work, the shipped corpus' subject: they belong in corpus/yiju.domain.yaml. */
  const SUBJECT_WORDS = /信访|上访|初信初访/u;
  const sources = ['src/core', 'src/http', 'src/web', 'src/config'].flatMap((folder) => files(join(REPO_ROOT, folder)));

  it.each(sources.map((p) => [relative(REPO_ROOT, p), p]))('%s does not mention the corpus subject', (_name, path) => {
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => SUBJECT_WORDS.test(l));
    expect(lines).toEqual([]);
  });
});

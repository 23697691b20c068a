import { chmodSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The real bge-small-zh-v1.5 folder the tests use (set by vitest.config.ts). */
export function sharedModelDir(): string {
  const dir = process.env.YIJU_MODEL_DIR;
  if (!dir) throw new Error('YIJU_MODEL_DIR is not set: run the tests through vitest (see vitest.config.ts)');
  return dir;
}

function files(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, base) : [relative(base, path)];
  });
}

/**
 * Makes `target` a copy of the model folder made of symbolic links (cheap: no
 * 24 MB copy). Files listed in `except` are left out (their folders are created), so a
 * test can write its own.
 */
export function linkModelCopy(target: string, except: readonly string[] = []): string[] {
  const source = sharedModelDir();
  const all = files(source);
  for (const file of all) {
    mkdirSync(join(target, file, '..'), { recursive: true });
    if (except.includes(file)) continue;
    symlinkSync(join(source, file), join(target, file));
  }
  return all;
}

/** The shared folder is read-only; make a copied file writable. */
export function makeWritable(path: string): void {
  chmodSync(path, 0o644);
}

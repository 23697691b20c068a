/**
 * The index build lock after its holder dies (issue 14.2): released on SIGTERM, taken over once nobody refreshes it
 * after kill -9, including when the restarted process has the dead one's PID (PID namespaces, as in containers).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IndexStore, LOCK_STALE_MS } from '../../src/adapters/storage/indexStore.js';
import { makeTempDir, REPO_ROOT } from '../helpers/corpus.js';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = makeTempDir('yiju-lock-death-');
});
afterEach(() => tmp.cleanup());

/**
 * A child process that takes the index lock (with the default staleness) and holds it until killed. The lock's
 * heartbeat timer is unref'd, so the child keeps itself alive with a timer of its own: otherwise it would end on its
 * own (an unsettled top-level await) and release the lock before the test's signal arrives.
 */
function holder(dir: string, wrap: string[] = []): ChildProcess {
  const script = `import { IndexStore } from ${JSON.stringify(join(REPO_ROOT, 'src/adapters/storage/indexStore.ts'))};
setInterval(() => {}, 60_000);
await new IndexStore(${JSON.stringify(dir)}).withLock(() => { console.log('locked', process.pid); return new Promise(() => {}); });`;
  const file = join(tmp.dir, `holder-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, script);
  const [cmd, ...args] = [...wrap, process.execPath, '--import', 'tsx', file];
  return spawn(cmd!, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

const locked = (child: ChildProcess) =>
  new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d) && out.includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`holder exited (${code}) before locking: ${out}`)));
  });
const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

/** Whether this machine can start a process in its own PID namespace. */
const canUnsharePid = spawnSync('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', 'true']).status === 0;

describe('the lock after its holder dies', () => {
  it('SIGTERM while holding: the lock is released on the way out, so a restart takes it at once', async () => {
    const dir = join(tmp.dir, 'idx');
    const child = holder(dir);
    await locked(child);
    child.kill('SIGTERM');
    await exited(child);
    expect(child.signalCode).toBe('SIGTERM'); // ended by the signal, not on its own before it
    expect(existsSync(join(dir, 'build.lock'))).toBe(false);
    expect(await new IndexStore(dir).withLock(async () => 'ran', { waitMs: 0 })).toBe('ran');
  }, 30_000);

  it('kill -9 while holding: the lock nobody refreshes is taken over once stale, not after ten minutes', async () => {
    const dir = join(tmp.dir, 'idx');
    const child = holder(dir);
    await locked(child);
    child.kill('SIGKILL');
    await exited(child);
    expect(child.signalCode).toBe('SIGKILL');
    expect(existsSync(join(dir, 'build.lock'))).toBe(true);
    expect(await new IndexStore(dir).withLock(async () => 'ran', { waitMs: 3 * LOCK_STALE_MS })).toBe('ran');
  }, 60_000);

  it.skipIf(!canUnsharePid)(
    "in PID namespaces (the restarted process gets the dead one's PID): kill -9, then a restart takes the lock",
    async () => {
      const dir = join(tmp.dir, 'idx');
      const ns = ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc'];
      const first = holder(dir, ns);
      await locked(first);
      first.kill('SIGKILL'); // unshare dies, and with it (--kill-child) the holder: PID 1 of its namespace
      await exited(first);
      const second = holder(dir, ns); // PID 1 of a new namespace: the same PID as the dead holder
      await locked(second);
      second.kill('SIGKILL');
      await exited(second);
    },
    60_000,
  );
});

/**
 * `npm start` passes SIGTERM and SIGINT to the server (issue 14.3): signalling the npm process (as a container runtime
 * or systemd does with PID 1 / the main process) makes the server finish in-flight requests, log "stopped" and exit,
 * and leaves no process of the group behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withDeadline } from '../helpers/async.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { dataDirWithIndex, e2eEnv } from '../helpers/e2eIndex.js';

let tmp: { dir: string; cleanup: () => void };
beforeEach(async () => {
  tmp = await dataDirWithIndex('yiju-npm-start-');
}, 180_000);
afterEach(() => tmp.cleanup());

/** The processes of a process group still alive (zombies excluded). */
const groupMembers = (pgid: number): string[] =>
  spawnSync('ps', ['-o', 'pid=,stat=,args=', '-g', String(pgid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^\d+\s+Z/u.test(l));

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(['SIGTERM', 'SIGINT'] as const)('npm start, then %s to the npm process', (signal) => {
  it('reaches the server: it drains, logs "stopped", and no process of the group is left', async () => {
    // Its own process group (detached), as under a service manager; npm is the group's leader.
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: REPO_ROOT,
      env: { ...(e2eEnv(tmp.dir, { PORT: '0', YIJU_DEBUG: '' }) as NodeJS.ProcessEnv), npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    npm.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    npm.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    try {
      await withDeadline(
        until(() => /listening on http/u.test(out), 150_000, 'never listened'),
        160_000,
        `npm start never listened:\n${out}`,
      );
      const members = groupMembers(npm.pid!);
      expect(
        members.some((m) => m.includes('main.ts start')),
        members.join('\n'),
      ).toBe(true);
      process.kill(npm.pid!, signal);
      await until(() => groupMembers(npm.pid!).length === 0, 30_000, `processes left after ${signal}:\n${groupMembers(npm.pid!).join('\n')}\n${out}`);
      expect(out).toContain(`${signal}: finishing in-flight requests`);
      expect(out).toMatch(/"msg":"stopped"/u);
    } finally {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        // the group is gone
      }
    }
  }, 240_000);
});

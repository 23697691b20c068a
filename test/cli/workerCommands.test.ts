/**
 * `yiju build-worker` and `yiju push-vectorize`: subcommands of the one CLI whose
 * --help describes every option. Their work is tested in test/node/workerBuild.test.ts
 * and test/node/vectorizePush.test.ts (which runs push-vectorize as a child process).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildWorkerCommand, pushVectorizeCommand } from '../../src/cli/workerCommands.js';
import { REPO_ROOT } from '../helpers/corpus.js';

const run = promisify(execFile);
const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: REPO_ROOT, timeout: 60_000 });

describe.each([
  ['build-worker', buildWorkerCommand, []],
  ['push-vectorize', pushVectorizeCommand, ['--index', '--embedder', '--model', '--dimensions', '--batch', '--force', '--dry-run']],
])('yiju %s', (name, make, expected) => {
  const command = make();

  it('has its name, a description and exactly the expected options', () => {
    expect(command.name()).toBe(name);
    expect(command.description().length).toBeGreaterThan(20);
    expect(command.options.map((o) => o.long)).toEqual(expected);
  });

  it('--help describes every option', () => {
    /** Long lines wrap; compare with the whitespace collapsed. */
    const help = command.helpInformation().replace(/\s+/gu, ' ');
    for (const option of command.options) {
      expect(option.description.length, option.flags).toBeGreaterThan(5);
      expect(help).toContain(option.flags);
      expect(help).toContain(option.description.replace(/\s+/gu, ' '));
    }
  });

  it('is a subcommand of src/cli/main.ts (its --help exits 0 and prints the usage)', async () => {
    const { stdout } = await cli([name, '--help']);
    expect(stdout).toMatch(new RegExp(`^Usage: yiju ${name} \\[options\\]`, 'u'));
    for (const option of command.options) expect(stdout).toContain(option.flags);
  });
});

it('yiju --help lists build-worker and push-vectorize', async () => {
  const { stdout } = await cli(['--help']);
  expect(stdout).toMatch(/^ {2}build-worker\s/mu);
  expect(stdout).toMatch(/^ {2}push-vectorize \[options\]\s/mu);
});

import { ConfigError } from '../config/settings.js';
import { loadConfig, type Config } from '../node/config.js';
import { UserFacingError } from '../core/errors.js';

/** Runs a CLI action with validated config and prints errors as sentences, never stacks (unless YIJU_DEBUG=1). */
export async function runCli(action: (config: Config) => Promise<void>): Promise<void> {
  try {
    await action(loadConfig(process.env));
  } catch (err) {
    const known = err instanceof UserFacingError || err instanceof ConfigError;
    process.stderr.write(`${known ? '' : 'Unexpected error: '}${(err as Error).message ?? String(err)}\n`);
    if (!known && process.env.YIJU_DEBUG === '1') process.stderr.write(`${(err as Error).stack}\n`);
    else if (!known) process.stderr.write('(set YIJU_DEBUG=1 for details)\n');
    process.exitCode = 1;
  }
}

export const log = (line: string) => process.stderr.write(`${line}\n`);

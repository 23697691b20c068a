import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { withDeadline } from './async.js';
import { REPO_ROOT } from './corpus.js';

export interface CliServer {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>;
}

/**
 * `yiju start` as a child process on port 0, its embeddings from the local OpenAI-compatible fake at `embeddingsURL`;
 * resolves once its stderr matches `ready` (whose first group is the URL), with its stderr so far.
 */
export async function startCliServer(options: {
  corpusDir: string;
  dataDir: string;
  embeddingsURL: string;
  ready?: RegExp;
  children?: ChildProcess[];
}): Promise<CliServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'start'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      YIJU_CORPUS_DIR: options.corpusDir,
      YIJU_DATA_DIR: options.dataDir,
      YIJU_EMBEDDER: 'openai',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: options.embeddingsURL,
      YIJU_CHAT_MODEL: '',
      PORT: '0',
      YIJU_RATE_LIMIT: '0',
      YIJU_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  options.children?.push(child);
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const ready = options.ready ?? /listening on (http:\/\/\S+)/u;
  const url = await withDeadline(
    new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', () => {
        const m = ready.exec(err);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`yiju start exited (${code}):\n${err}`)));
    }),
    90_000,
    `yiju start never printed ${ready}`,
  );
  return {
    child,
    url,
    stderr: () => err,
    stop: () => new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : (child.once('exit', (code) => r(code)), child.kill('SIGTERM')))),
  };
}

import cliProgress from 'cli-progress';
import type { BuildProgress } from '../core/indexing/buildIndex.js';

const BUILD_LABELS: Record<BuildProgress['phase'], string> = { chunk: 'chunking ', embed: 'embedding', lexical: 'BM25     ' };

/** A progress bar per phase on a terminal; a line per phase otherwise (CI logs). */
export function progressReporter<Phase extends string>(labels: Record<Phase, string>, stream: NodeJS.WriteStream = process.stderr) {
  let bar: cliProgress.SingleBar | null = null;
  let phase: Phase | null = null;
  const tty = !!stream.isTTY;
  return {
    onProgress(p: { phase: Phase; done: number; total: number }) {
      if (p.phase !== phase) {
        bar?.stop();
        bar = null;
        phase = p.phase;
        if (tty) {
          bar = new cliProgress.SingleBar(
            { stream, format: `${labels[p.phase]} [{bar}] {value}/{total} {percentage}% eta {eta}s`, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(p.total, 0);
        } else stream.write(`${labels[p.phase].trim()}: ${p.total} items\n`);
      }
      bar?.update(p.done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

/** Progress of an index build. */
export const buildProgressReporter = (stream: NodeJS.WriteStream = process.stderr) => progressReporter(BUILD_LABELS, stream);

import cliProgress from 'cli-progress';
import type { BuildProgress } from '../core/indexing/buildIndex.js';

const LABELS: Record<BuildProgress['phase'], string> = { chunk: 'chunking ', embed: 'embedding', lexical: 'BM25     ' };

/** A progress bar per build phase on a terminal; a line per phase otherwise (CI logs). */
export function buildProgressReporter(stream: NodeJS.WriteStream = process.stderr) {
  let bar: cliProgress.SingleBar | null = null;
  let phase: BuildProgress['phase'] | null = null;
  const tty = !!stream.isTTY;
  return {
    onProgress(p: BuildProgress) {
      if (p.phase !== phase) {
        bar?.stop();
        phase = p.phase;
        if (tty) {
          bar = new cliProgress.SingleBar({ stream, format: `${LABELS[p.phase]} [{bar}] {value}/{total} {percentage}% eta {eta}s`, hideCursor: true }, cliProgress.Presets.shades_classic);
          bar.start(p.total, 0);
        } else stream.write(`${LABELS[p.phase].trim()}: ${p.total} items\n`);
      }
      bar?.update(p.done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogRecord = Record<string, unknown> & { msg: string };

/** Structured logging port: one record per call; the runtime decides where lines go. */
export interface Logger {
  log(level: LogLevel, record: LogRecord): void;
}

const ORDER: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** A logger writing one JSON object per line through `write`, dropping records below `level`. */
export function jsonLogger(write: (line: string) => void, level: LogLevel | 'silent' = 'info', now: () => Date = () => new Date()): Logger {
  return {
    log(l, record) {
      if (ORDER[l] < ORDER[level]) return;
      write(JSON.stringify({ time: now().toISOString(), level: l, ...record }));
    },
  };
}

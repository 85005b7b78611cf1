import type pino from 'pino';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';

/** The Temporal SDK's logger interface on top of pino, for `Runtime.install({ logger })`. */
export function temporalLogger(logger: pino.Logger): Logger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    const method = level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
    logger[method](meta ?? {}, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

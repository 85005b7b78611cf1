import type pino from 'pino';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';

/**
 * The Temporal SDK's logger interface on top of pino, for `Runtime.install({ logger })`. Every
 * record, the SDK core's forwarded ones included, is also shown to `observe` before pino filters it
 * by level.
 */
export function temporalLogger(logger: pino.Logger, observe?: (message: string, meta: LogMetadata | undefined) => void): Logger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    observe?.(message, meta);
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

import pino from 'pino';

/** The one structured logger of a process (API, worker, or both under `npm start`): JSON lines on stdout. */
export function createLogger(level: string): pino.Logger {
  return pino({ level, base: { service: 'sales-sop' } });
}

import pino from 'pino';

/** One JSON logger; secrets are redacted wherever they appear in logged objects. */
export function createLogger(level: string, name = 'dermaga') {
  return pino({
    name,
    level,
    redact: {
      paths: ['*.password', '*.new_password', '*.current_password', '*.token', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  });
}
export type Logger = pino.Logger;

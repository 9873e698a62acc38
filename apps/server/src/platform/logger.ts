import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs on stdout. Every message starts with a stable identifier (`http.request`,
 * `storage.migrate`, `otlp.auth: rejected reason=…`) so operators can grep for it. Anything
 * that could carry a credential is redacted at the logger, as a second line of defence behind
 * the rule that call sites never log tokens.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'linkmesh-server' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: [
          'authorization',
          'headers.authorization',
          'headers.cookie',
          'req.headers.authorization',
          'req.headers.cookie',
          'token',
          'password',
          '*.token',
          '*.password',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

import pino from 'pino';

export type Logger = pino.Logger;

/** Paths that could carry a secret in a log object; pino replaces their values. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'password',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  'authorization',
  '*.authorization',
  '*.Authorization',
  'headers.cookie',
  '*.headers.cookie',
  'variables',
  '*.variables',
];

/** Scrubs anything shaped like a Gatehouse token from free text (error messages, URLs). */
export function scrubSecrets(text: string): string {
  return text.replace(/gh_[A-Za-z0-9_-]{10,}/g, 'gh_[redacted]');
}

/** Creates the JSON logger. `destination` lets tests capture output. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'gatehouse' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          // Free-text arguments may quote a token (e.g. an error message); scrub them.
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

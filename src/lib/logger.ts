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

/** Scrubs token-shaped text from strings anywhere inside plain objects and arrays (bounded depth). */
export function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, depth + 1));
  if (value instanceof Error) return { type: value.name, message: scrubSecrets(value.message), stack: scrubSecrets(value.stack ?? '') };
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubDeep(item, depth + 1)]));
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
          // Free text and nested fields may quote a token (e.g. an error message); scrub them.
          method.apply(this, args.map((a) => scrubDeep(a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

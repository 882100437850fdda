/**
 * The logging surface the cache needs, as a structural type: a pino logger satisfies it, and tests
 * pass a recording logger instead. Kept this small so the cache never depends on pino itself.
 */

/** One log level: a message, or a context object (pino style: `err` for errors) then a message. */
export interface LogFn {
  (message: string): void;
  (context: object, message?: string): void;
}

export interface Logger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
}

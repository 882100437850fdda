/**
 * The logging surface every layer logs through, as a structural type: a pino logger satisfies it,
 * and tests pass a recording logger instead. Kept this small so no layer below the server depends on
 * pino itself; only the server creates the pino logger and hands it down.
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

/**
 * The base of every typed error with a stable machine-readable `code`. Each layer declares its own
 * code union and classes on top of it (vision's FlorenceError, the cache's CacheError, images' fetch
 * errors, the engine's BusyError, the GraphQL layer's cost errors, the server's deadline), so no layer
 * has to name another layer's codes. Code that turns errors into answers (GraphQL's formatError, the
 * worker protocol, the CLI) tests for this base, so a code from any layer reaches the client.
 */

export class CodedError<Code extends string = string> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

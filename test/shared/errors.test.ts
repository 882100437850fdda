import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GraphQLFormattedError } from 'graphql';
import { CacheConfigError, CacheKeyError } from '../../src/cache/errors.js';
import { BusyError } from '../../src/engine/engine.js';
import { deserializeError, serializeError } from '../../src/engine/worker/protocol.js';
import { BudgetExceededError, QueryLimitError } from '../../src/graphql/cost/errors.js';
import { createErrorFormatter } from '../../src/graphql/errors.js';
import { HubError } from '../../src/hub/errors.js';
import { FetchFailedError, FetchRefusedError, ImageNotFoundError } from '../../src/images/errors.js';
import { DeadlineExceededError } from '../../src/server/pipeline/deadline.js';
import { CodedError } from '../../src/shared/errors.js';
import type { Logger } from '../../src/shared/logger.js';
import { DisposedError, ImageDecodeError, ModelFilesError, TaskInputError } from '../../src/vision/errors.js';

/** One error of each layer, with the code and class name clients and logs saw before the codes were split by layer. */
const EXAMPLES: readonly (readonly [CodedError, string, string])[] = [
  [new TaskInputError('no text'), 'BAD_INPUT', 'TaskInputError'],
  [new ImageDecodeError('not an image'), 'BAD_IMAGE', 'ImageDecodeError'],
  [new DisposedError(), 'DISPOSED', 'DisposedError'],
  [new HubError('network', 'unreachable'), 'MODEL_FILES', 'HubError'],
  [new CacheConfigError('bad url'), 'CACHE_CONFIG', 'CacheConfigError'],
  [new CacheKeyError('empty'), 'CACHE_KEY', 'CacheKeyError'],
  [new FetchRefusedError('scheme', 'file: is refused'), 'FETCH_REFUSED', 'FetchRefusedError'],
  [new FetchFailedError('dns', 'no such host'), 'FETCH_FAILED', 'FetchFailedError'],
  [new ImageNotFoundError('no upload'), 'IMAGE_NOT_FOUND', 'ImageNotFoundError'],
  [new BusyError(3), 'BUSY', 'BusyError'],
  [new BudgetExceededError(10, 95, 100), 'BUDGET_EXCEEDED', 'BudgetExceededError'],
  [new QueryLimitError('QUERY_TOO_DEEP', 'too deep'), 'QUERY_TOO_DEEP', 'QueryLimitError'],
  [new DeadlineExceededError(250), 'DEADLINE_EXCEEDED', 'DeadlineExceededError'],
];

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const formatError = createErrorFormatter(silent);
const asFormatted = (error: Error): GraphQLFormattedError => ({ message: error.message, path: ['image', 'caption'] });

describe('CodedError, the one base of the layers’ typed errors', () => {
  it('gives every layer’s error its own code and its class name', () => {
    for (const [error, code, name] of EXAMPLES) {
      assert.ok(error instanceof CodedError, `${name} is a CodedError`);
      assert.equal(error.code, code);
      assert.equal(error.name, name);
    }
    assert.ok(new HubError('usage', 'bad repo') instanceof ModelFilesError, 'model pull still reports a HubError as a ModelFilesError');
  });

  it('keeps the cause it was given', () => {
    const cause = new Error('ECONNRESET');
    assert.equal(new FetchFailedError('connect', 'reset', { cause }).cause, cause);
    assert.equal(new CodedError('ANY', 'message', { cause }).cause, cause);
  });

  it('reaches a GraphQL client with its own code and message, whichever layer threw it', () => {
    for (const [error, code] of EXAMPLES) {
      const formatted = formatError(asFormatted(error), error);
      assert.deepEqual(formatted, { message: error.message, path: ['image', 'caption'], extensions: { code } });
    }
  });

  it('keeps a limit’s code when a validation rule wraps it in a GraphQLError', () => {
    const refusal = new QueryLimitError('TOO_MANY_ALIASES', 'uses 40 aliases; the limit is 30').toGraphQLError();
    const formatted = formatError({ message: refusal.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, refusal);
    assert.deepEqual(formatted.extensions, { code: 'TOO_MANY_ALIASES' });
  });

  it('still hides an unexpected error behind INTERNAL_SERVER_ERROR', () => {
    const bug = new TypeError('x is undefined');
    const formatted = formatError(asFormatted(bug), bug);
    assert.equal(formatted.extensions?.['code'], 'INTERNAL_SERVER_ERROR');
    assert.doesNotMatch(formatted.message, /undefined/);
  });

  it('crosses the worker boundary with its code and name (a deadline passed in as a cancel reason comes back as DEADLINE_EXCEEDED)', () => {
    for (const [error, code, name] of EXAMPLES) {
      const again = deserializeError(serializeError(error));
      assert.ok(again instanceof CodedError);
      assert.equal(again.code, code);
      assert.equal(again.name, name);
      assert.equal(again.message, error.message);
    }
    const plain = deserializeError(serializeError(new RangeError('out of range')));
    assert.ok(!(plain instanceof CodedError));
    assert.equal(plain.name, 'RangeError');
  });
});

/**
 * The error handler registered after every route: whatever a route or body parser passed to `next`
 * is answered here, so no error reaches express' default handler.
 */
import type { NextFunction, Request, Response } from 'express';
import { formatByteLimit } from '../../shared/bytes.js';
import type { Logger } from '../../shared/logger.js';
import { sendGraphQLError } from './graphqlErrorResponse.js';

/** express' own errors (bad JSON, body over the limit) as GraphQL-shaped JSON, never an HTML page. */
export function jsonErrors(logger: Logger, bodyLimit: number) {
  return (error: { status?: number; type?: string; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (error.type === 'entity.too.large') {
      const limit = `${formatByteLimit(bodyLimit)} (GRAPHQL_BODY_LIMIT_BYTES)`;
      sendGraphQLError(
        res,
        413,
        'PAYLOAD_TOO_LARGE',
        `the request body is larger than ${limit}; send big images with POST /images and query them by id`,
      );
      return;
    }
    if (error.type === 'entity.parse.failed') {
      sendGraphQLError(res, 400, 'BAD_REQUEST', 'the request body is not valid JSON');
      return;
    }
    logger.error({ err: error }, 'unhandled error in an HTTP route');
    sendGraphQLError(res, error.status ?? 500, 'INTERNAL_SERVER_ERROR', 'internal error');
  };
}

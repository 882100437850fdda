/**
 * `/graphql` answers 503 UNAVAILABLE, with the reason (loading, failed, stopping), until the model
 * is loaded: before the response cache and body parsing, so a request that cannot run costs nothing.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ReadinessState } from '../readiness.js';
import { sendGraphQLError } from './graphqlErrorResponse.js';

export function readinessGate(readiness: ReadinessState): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const reason = readiness.unavailableReason();
    if (reason === undefined) return next();
    sendGraphQLError(res, 503, 'UNAVAILABLE', reason);
  };
}

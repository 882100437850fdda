/** Refusals from HTTP middleware in the shape GraphQL clients already parse: `{ errors: [{ message, extensions: { code } }] }`. */
import type { Response } from 'express';

export function sendGraphQLError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

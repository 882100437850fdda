/**
 * The one shape every HTTP refusal outside GraphQL execution answers in (guards, readiness, body
 * parsing, `POST /images`, `GET /images/{id}`): `{ errors: [{ message, extensions: { code } }] }`,
 * the shape GraphQL clients already parse, so a client reads a refused upload the way it reads a
 * refused query.
 */
import type { Response } from 'express';

export function sendGraphQLError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * `POST /images`: the raw image bytes as the body (any content type; the format is sniffed). The
 * image is checked like any other source, stored (UploadStore: the cache store for UPLOAD_TTL_SECONDS, and a local LRU), and its id
 * returned for `image(id:)`. For images too big to ride in a GraphQL body as base64.
 *
 * `GET /images/{id}`: the stored bytes back, for a client that draws answers over the picture (the
 * GraphiQL explorer). Images fetched by URL are stored too (see imageLoader), so they can be shown
 * by id as well. Only ever the bytes of a stored image: the id must be `sha256:` and 64 hex digits,
 * so no path can reach anything else. The gateway mounts the same API-key and rate-limit guards on
 * every `/images` path.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { imageFromBytes } from '../../graphql/loaders/imageLoader.js';
import type { StoredUpload } from '../../graphql/uploads.js';
import { imageMediaType } from '../../images/mediaType.js';
import { parseImageId } from '../../images/imageId.js';
import { formatByteLimit } from '../../shared/bytes.js';
import { FlorenceError } from '../../vision/errors.js';
import { sendGraphQLError } from '../pipeline/graphqlErrorResponse.js';
import type { ReadinessState } from '../readiness.js';

export function uploadRoutes(readiness: ReadinessState, maxBytes: number): Router {
  const router = Router();
  router.post(
    '/images',
    express.raw({ type: () => true, limit: maxBytes }),
    async (req: Request, res: Response) => {
      const state = readiness.value;
      if (state.status !== 'ready') {
        sendGraphQLError(res, 503, 'UNAVAILABLE', readiness.unavailableReason() ?? `the server is ${state.status}`);
        return;
      }
      const body: unknown = req.body;
      const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
      try {
        const image = await imageFromBytes(bytes, state.services);
        const stored: StoredUpload = { bytes: new Uint8Array(bytes), width: image.width, height: image.height, format: image.format };
        await state.services.uploads.put(image.id, stored);
        res.status(201).json({ id: image.id, width: image.width, height: image.height, format: image.format });
      } catch (error) {
        if (!(error instanceof FlorenceError)) throw error;
        sendGraphQLError(res, error.code === 'IMAGE_TOO_LARGE' ? 413 : 400, error.code, error.message);
      }
    },
    // express.raw's own refusals (over the byte limit) in the same GraphQL error shape.
    (error: { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (error.type === 'entity.too.large') {
        sendGraphQLError(res, 413, 'IMAGE_TOO_LARGE', `the upload is larger than the ${formatByteLimit(maxBytes)} limit (MAX_IMAGE_BYTES)`);
        return;
      }
      next(error);
    },
  );
  router.get('/images/:id', async (req: Request, res: Response) => {
    const state = readiness.value;
    if (state.status !== 'ready') {
      sendGraphQLError(res, 503, 'UNAVAILABLE', readiness.unavailableReason() ?? `the server is ${state.status}`);
      return;
    }
    let id: string;
    try {
      id = parseImageId(String(req.params['id']));
    } catch (error) {
      if (!(error instanceof FlorenceError)) throw error;
      sendGraphQLError(res, 400, error.code, error.message);
      return;
    }
    const upload = await state.services.uploads.get(id);
    if (!upload) {
      const hours = Math.round(state.services.uploads.ttlMs / 3_600_000);
      const message = `no stored image has id ${id}; upload the bytes with POST /images (stored images expire after ${hours} h)`;
      sendGraphQLError(res, 404, 'IMAGE_NOT_FOUND', message);
      return;
    }
    // The bytes of an id never change; the browser may keep them as long as the gateway does.
    const maxAgeSeconds = Math.floor(state.services.uploads.ttlMs / 1000);
    res
      .status(200)
      .set({
        'content-type': imageMediaType(upload.format, upload.bytes),
        'content-length': String(upload.bytes.byteLength),
        'cache-control': `private, max-age=${maxAgeSeconds}, immutable`,
        'x-content-type-options': 'nosniff',
        // Opened on its own, the image may run nothing and load nothing.
        'content-security-policy': "default-src 'none'; sandbox",
      })
      .end(Buffer.from(upload.bytes.buffer, upload.bytes.byteOffset, upload.bytes.byteLength));
  });
  return router;
}

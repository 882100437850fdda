/**
 * `POST /images`: the raw image bytes as the body (any content type; the format is sniffed). The
 * image is checked like any other source, stored (UploadStore: the cache store for UPLOAD_TTL_SECONDS, and a local LRU), and its id
 * returned for `image(id:)`. For images too big to ride in a GraphQL body as base64.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { imageFromBytes } from '../../graphql/loaders/imageLoader.js';
import type { StoredUpload } from '../../graphql/uploads.js';
import { FlorenceError } from '../../vision/errors.js';
import type { ReadinessState } from '../readiness.js';

export function uploadRoutes(readiness: ReadinessState, maxBytes: number): Router {
  const router = Router();
  router.post(
    '/images',
    express.raw({ type: () => true, limit: maxBytes }),
    async (req: Request, res: Response) => {
      const state = readiness.value;
      if (state.status !== 'ready') {
        res.status(503).json({ error: { code: 'UNAVAILABLE', message: readiness.unavailableReason() } });
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
        res.status(error.code === 'IMAGE_TOO_LARGE' ? 413 : 400).json({ error: { code: error.code, message: error.message } });
      }
    },
    // express.raw's own refusals (over the byte limit) as the same JSON shape.
    (error: { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (error.type === 'entity.too.large') {
        res.status(413).json({ error: { code: 'IMAGE_TOO_LARGE', message: `the upload is larger than the ${maxBytes}-byte limit` } });
        return;
      }
      next(error);
    },
  );
  return router;
}

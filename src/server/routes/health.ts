/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: it can serve queries). */
import { Router } from 'express';
import type { ReadinessState } from '../readiness.js';

export function healthRoutes(readiness: ReadinessState): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const reason = readiness.unavailableReason();
    const state = readiness.value;
    if (reason === undefined && state.status === 'ready') {
      res.json({ ready: true, model: state.services.model.id, cache: state.services.cache.stats().store });
    } else {
      res.status(503).json({ ready: false, status: state.status, reason });
    }
  });
  return router;
}

/**
 * The HTTP server: Apollo Server 5 on express 5 with `/graphql` beside the health, upload and
 * GraphiQL routes. It listens at once and loads the model in the background, so `/healthz` answers
 * while `/readyz` says when queries can be served (or why they cannot).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { pino } from 'pino';
import { createCacheStore, parseCacheUrl } from '../cache/createStore.js';
import type { Logger } from '../shared/logger.js';
import type { ResultCache } from '../cache/resultCache.js';
import { createContext, type GatewayContext } from '../graphql/context.js';
import { RequestBudget } from '../graphql/cost/requestBudget.js';
import { createErrorFormatter } from '../graphql/errors.js';
import { buildSubgraphGatewaySchema } from '../graphql/federation.js';
import { buildGatewaySchema } from '../graphql/schema.js';
import type { GatewayServices } from '../graphql/services.js';
import type { GatewayConfig } from './config.js';
import { Engine } from '../engine/engine.js';
import { GatewayMetrics } from './metrics.js';
import { requestMetricsPlugin } from './pipeline/requestMetricsPlugin.js';
import { loadServices } from './loadServices.js';
import { apiKeyMiddleware, createApiKeyCheck } from './pipeline/apiKeys.js';
import { corsMiddleware, isAllowedOrigin } from './pipeline/cors.js';
import { jsonErrors } from './pipeline/jsonErrors.js';
import { rateLimitMiddleware } from './pipeline/rateLimit.js';
import { costLimitPlugin, createCostCheck } from './pipeline/costLimitPlugin.js';
import { requestSignal } from './pipeline/deadline.js';
import { queryShapeRules } from './pipeline/queryShapeRules.js';
import { readinessGate } from './pipeline/readinessGate.js';
import { ResponseCache } from './pipeline/responseCache.js';
import { ReadinessState } from './readiness.js';
import { graphiqlRoutes } from './routes/graphiql.js';
import { healthRoutes } from './routes/health.js';
import { uploadRoutes } from './routes/uploads.js';
import { startSubscriptionServer, type SubscriptionServer } from './subscriptions.js';

export interface Gateway {
  /** `http://host:port`, with the port actually bound (PORT=0 picks a free one). */
  readonly url: string;
  readonly readiness: ReadinessState;
  /** Resolves once the model is loaded (or rejects with why it could not be). */
  readonly loaded: Promise<GatewayServices>;
  /** The WebSocket side: open connections and active subscriptions. */
  readonly subscriptions: Pick<SubscriptionServer, 'stats'>;
  /** Readiness off, in-flight requests finish, then the model and cache are released. */
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** Default: pino at config.logLevel, JSON lines on stdout. */
  readonly logger?: pino.Logger;
}

export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const readiness = new ReadinessState();
  const cache = await createCacheStore(config.cacheUrl, {
    logger,
    namespace: config.cacheNamespace,
    retryCooldownMs: config.cacheRetryMs,
    workLockTtlMs: config.workLockTtlMs,
  });
  const metrics = new GatewayMetrics();
  const responseCache = new ResponseCache({ maxBytes: config.responseCacheBytes });
  const app = express();
  app.disable('x-powered-by');
  // ETags would hash every response body, and POST responses are never revalidated.
  app.set('etag', false);
  // Behind a load balancer, its X-Forwarded-For names the client (rate limits, logs) — only when told.
  if (config.trustProxy !== undefined)
    app.set('trust proxy', typeof config.trustProxy === 'number' ? config.trustProxy : [...config.trustProxy]);
  const httpServer = createServer(app);

  // FEDERATION=true: the same schema plus `_service`/`_entities`, for a supergraph router.
  const schema = config.federation ? await buildSubgraphGatewaySchema() : await buildGatewaySchema();
  const formatError = createErrorFormatter(logger);
  const validationRules = queryShapeRules({
    maxDepth: config.maxQueryDepth,
    maxAliases: config.maxAliases,
    maxTaskFields: config.maxTaskFields,
    introspection: config.introspection,
  });
  const costLimits = { maxCost: config.maxQueryCost, generationDefaults: { numBeams: config.numBeams, maxNewTokens: config.maxNewTokens } };
  // API keys, then the rate limit (per key, else per IP), on the routes that do work; health stays open.
  const cacheTarget = parseCacheUrl(config.cacheUrl);
  const rateLimit =
    config.rateLimit &&
    rateLimitMiddleware({ limit: config.rateLimit, redisUrl: cacheTarget.kind === 'redis' ? cacheTarget.url : undefined, logger });
  // Subscriptions: WebSocket upgrades of /graphql, under the same keys, limits and rules as queries.
  const subscriptions = startSubscriptionServer({
    httpServer,
    app,
    path: '/graphql',
    schema,
    readiness,
    validationRules,
    costCheck: createCostCheck(costLimits),
    formatError,
    apiKeys: config.apiKeys.length > 0 ? createApiKeyCheck(config.apiKeys) : undefined,
    rateLimiter: rateLimit ? rateLimit.limiter : undefined,
    allowOrigin: (origin, host) => isAllowedOrigin(config, origin, host),
    maxConnectionsPerClient: config.subscriptionConnectionsPerClient,
    maxSubscriptionsPerConnection: config.subscriptionsPerConnection,
    requestTimeoutMs: config.requestTimeoutMs,
    requestBudget: config.requestBudget,
    maxPayloadBytes: config.graphqlBodyLimitBytes,
    logger,
  });

  const apollo = new ApolloServer<GatewayContext>({
    schema,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // Apollo's own SIGTERM handler would stop the server before readiness is turned off.
    stopOnTerminationSignals: false,
    formatError,
    // Our own rule refuses introspection when it is off, with a message naming INTROSPECTION.
    introspection: true,
    validationRules,
    plugins: [
      // In-flight requests may take up to their deadline to finish; then connections are closed.
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.requestTimeoutMs }),
      // Open subscriptions end when the server drains (their sockets close with 1001, going away).
      { serverWillStart: async () => ({ drainServer: () => subscriptions.dispose() }) },
      requestMetricsPlugin({ metrics, logger, slowQueryMs: config.slowQueryMs }),
      ApolloServerPluginLandingPageDisabled(),
      costLimitPlugin(costLimits),
      responseCache.plugin(),
    ],
  });
  await apollo.start();

  // CORS first: preflights carry no credentials and must be answered before the guards refuse them.
  app.use(['/graphql', '/images'], corsMiddleware(config));
  const guards = [...(config.apiKeys.length > 0 ? [apiKeyMiddleware({ keys: config.apiKeys })] : []), ...(rateLimit ? [rateLimit] : [])];
  if (guards.length > 0) app.use(['/graphql', '/images'], ...guards);
  // /graphql first: every request walks the routes registered before its own.
  app.use(
    '/graphql',
    readinessGate(readiness),
    responseCache.middleware(
      () => (readiness.value.status === 'ready' ? readiness.value.services.model.fingerprint : undefined),
      config.graphqlBodyLimitBytes,
      (operation, seconds) => {
        metrics.requests.inc({ operation, outcome: 'ok' });
        metrics.requestDuration.observe({ operation }, seconds);
      },
    ),
    express.json({ limit: config.graphqlBodyLimitBytes }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const state = readiness.value;
        if (state.status !== 'ready') throw new Error('not ready');
        const requestId = headerValue(req.headers['x-request-id']) ?? randomUUID();
        res.setHeader('x-request-id', requestId);
        const requestLogger = logger.child({ requestId });
        requestLogger.debug({ operationName: (req.body as { operationName?: unknown } | undefined)?.operationName }, 'graphql request');
        const context = createContext(
          state.services,
          requestSignal(req, res, config.requestTimeoutMs),
          requestLogger,
          new RequestBudget(config.requestBudget),
        );
        const rawResponseKey = res.locals['rawResponseKey'] as string | undefined;
        return rawResponseKey ? { ...context, rawResponseKey } : context;
      },
    }),
  );
  app.use(healthRoutes(readiness));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(uploadRoutes(readiness, config.imageLimits.maxBytes));
  if (config.graphiql) app.use(graphiqlRoutes());
  app.use(jsonErrors(logger, config.graphqlBodyLimitBytes));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  logger.info({ url }, 'listening');
  // In plain words, for the person who just ran `npm start`: where to click.
  if (config.graphiql) logger.info({ url: `${url}/` }, `GraphiQL at ${url}/`);

  let engine: Engine | undefined;
  const loadStarted = performance.now();
  const loaded = loadModel(config, cache, logger, metrics).then(
    (model) => {
      engine = model.engine;
      metrics.modelLoadSeconds.set((performance.now() - loadStarted) / 1000);
      const { model: info } = model.services;
      metrics.modelInfo.set({ model: info.id, dtype: info.dtype, device: info.device, fingerprint: info.fingerprint }, 1);
      if (model.workers.deviceFallback) metrics.deviceFallbacks.inc({ requested: config.device });
      // A model worker that dies takes the model with it: not ready, and /readyz says why.
      model.workers.onFailure((error) => {
        logger.error({ reason: error.message }, 'model worker failed; the gateway is no longer ready');
        readiness.failed(error.message);
      });
      metrics.attach({
        engine: () => model.engine.stats(),
        resultCache: () => cache.stats(),
        ...(cache.workLock ? { workLock: cache.workLock.stats.bind(cache.workLock) } : {}),
        responseCache: () => responseCache.stats(),
      });
      readiness.ready(model.services);
      return model.services;
    },
    (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      readiness.failed(reason);
      logger.error({ reason }, 'model not loaded; /readyz reports why');
      throw error;
    },
  );
  loaded.catch(() => undefined); // reported through readiness; callers may await `loaded` themselves

  return {
    url,
    readiness,
    loaded,
    subscriptions,
    async stop() {
      readiness.stopping();
      await apollo.stop(); // drains: refuses new connections, lets in-flight requests finish
      await engine?.close();
      await cache.close();
      await rateLimit?.close();
      logger.info('stopped');
    },
  };
}

async function loadModel(
  config: GatewayConfig,
  cache: ResultCache,
  logger: Logger,
  metrics: GatewayMetrics,
): ReturnType<typeof loadServices> {
  if (!config.modelDir) throw new Error('no model folder configured (MODEL_DIR or --model)');
  return loadServices(config, config.modelDir, cache, logger, metrics.engineObserver());
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text && /^[\w.:-]{1,128}$/.test(text) ? text : undefined;
}

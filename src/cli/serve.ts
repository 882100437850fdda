/**
 * `florence-gateway serve [--model DIR] [--port N] [--synthetic tiny|base]` (and `npm start`): the
 * GraphQL gateway. Settings come from the environment (README lists them); SIGTERM or SIGINT shuts
 * down gracefully: readiness off, in-flight requests finish, then the process exits.
 */
import { DEFAULT_MODEL_REPO } from '../hub/modelCache.js';
import { ensureSyntheticModel } from '../synth/cache.js';
import { ConfigError, DEFAULT_PORT, loadConfig } from '../server/config.js';
import { startGateway } from '../server/gateway.js';
import { DTYPE_SUFFIXES, isModelDtype } from '../vision/modelFiles.js';
import { EXIT_USAGE, parseCommandLine, usageError, type CommandSpec } from './commandLine.js';
import { SERVE } from './commands.js';
import { noModelHelp } from './modelDir.js';
import { ensureDefaultModel } from './modelPull.js';

const SERVE_OPTIONS = {
  model: { type: 'string', value: 'DIR', help: 'the model folder: an onnx-community Florence-2 export', default: `$MODEL_DIR, else the cached ${DEFAULT_MODEL_REPO}, downloaded on first start` },
  port: { type: 'string', value: 'N', help: 'the port to listen on; 0 picks a free one', default: `$PORT, else ${DEFAULT_PORT}` },
  synthetic: { type: 'string', value: 'tiny|base', help: 'serve a synthetic model of random weights instead (made once, then reused)', default: 'off' },
} as const;

export const SERVE_SPEC: CommandSpec<typeof SERVE_OPTIONS> = {
  ...SERVE,
  options: SERVE_OPTIONS,
  notes: `Environment: HOST, PORT, MODEL_DIR, DTYPE, DEVICE, CACHE_URL, CORS_ORIGINS, API_KEYS, RATE_LIMIT, … (README, "Configuration").
SIGTERM or SIGINT: readiness goes off, in-flight requests finish, then the process exits.`,
};

export async function serveCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(SERVE_SPEC, argv);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  let modelDir: string | undefined;
  if (values.synthetic !== undefined) {
    if (values.synthetic !== 'tiny' && values.synthetic !== 'base') return usageError(SERVE_SPEC, `--synthetic takes tiny or base; got ${JSON.stringify(values.synthetic)}`);
    // Random weights with the real interface: answers are meaningless, behaviour is real.
    modelDir = await ensureSyntheticModel({ size: values.synthetic, bias: 'structured' });
    console.error(`serving a synthetic ${values.synthetic} model (random weights) from ${modelDir}`);
  } else {
    modelDir = values.model ?? (process.env['MODEL_DIR']?.trim() || undefined);
    if (!modelDir) {
      // First start: pull the default model (progress on stderr); offline with nothing cached, explain.
      const dtype = process.env['DTYPE']?.trim() || 'fp32';
      if (!isModelDtype(dtype)) {
        console.error(`error: DTYPE must be one of ${Object.keys(DTYPE_SUFFIXES).join(', ')}; got ${JSON.stringify(dtype)}`);
        return EXIT_USAGE;
      }
      modelDir = await ensureDefaultModel({ dtype });
      if (!modelDir) console.error(noModelHelp());
    }
  }
  if (!modelDir) return 1;
  let config;
  try {
    config = loadConfig(process.env, { model: modelDir, port: values.port });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`error: ${error.message}`);
    return EXIT_USAGE;
  }
  const gateway = await startGateway(config);
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      console.error(`${signal}: finishing in-flight requests, then exiting`);
      gateway.stop().then(resolve, (error: unknown) => {
        console.error(error);
        resolve();
      });
    };
    const onTerm = () => shutdown('SIGTERM');
    const onInt = () => shutdown('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  return 0;
}

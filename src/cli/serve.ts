/**
 * `florence-gateway serve [--model DIR] [--port N] [--synthetic tiny|base]` (and `npm start`): the
 * GraphQL gateway. Settings come from the environment (README lists them); SIGTERM or SIGINT shuts
 * down gracefully: readiness off, in-flight requests finish, then the process exits.
 */
import { DEFAULT_MODEL_REPO } from '../hub/modelCache.js';
import { ensureSyntheticModel } from '../synth/cache.js';
import { ConfigError, loadConfig, type GatewayConfig } from '../server/config.js';
import { CONFIG_VARIABLES, type ConfigVariable } from '../server/configVariables.js';
import { startGateway } from '../server/gateway.js';
import { EXIT_USAGE, parseCommandLine, usageError, type CliOption, type CommandSpec } from './commandLine.js';
import { SERVE } from './commands.js';
import { noModelHelp } from './modelDir.js';
import { ensureDefaultModel } from './modelPull.js';

/** A flag that stands in for its environment variable: help and default come from the configuration table. */
function variableOption(name: string, variable: ConfigVariable<unknown>): CliOption {
  const value = variable.flag?.value ?? 'VALUE';
  return { type: 'string', value, help: variable.description, default: `$${name}, else ${variable.parser.defaultText}` };
}

const SERVE_OPTIONS = {
  model: variableOption('MODEL_DIR', CONFIG_VARIABLES.MODEL_DIR),
  port: variableOption('PORT', CONFIG_VARIABLES.PORT),
  synthetic: {
    type: 'string',
    value: 'tiny|base',
    help: 'serve a synthetic model of random weights instead (made once, then reused)',
    default: 'off',
  },
} as const satisfies Record<string, CliOption>;

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
  if (values.synthetic !== undefined && values.synthetic !== 'tiny' && values.synthetic !== 'base') {
    return usageError(SERVE_SPEC, `--synthetic takes tiny or base; got ${JSON.stringify(values.synthetic)}`);
  }
  // Every setting is checked before anything is downloaded or generated.
  let config: GatewayConfig;
  try {
    config = loadConfig(process.env, { model: values.model, port: values.port });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`error: ${error.message}`);
    return EXIT_USAGE;
  }
  let modelDir = config.modelDir;
  if (values.synthetic !== undefined) {
    // Random weights with the real interface: answers are meaningless, behaviour is real.
    modelDir = await ensureSyntheticModel({ size: values.synthetic, bias: 'structured' });
    console.error(`serving a synthetic ${values.synthetic} model (random weights) from ${modelDir}`);
  } else if (modelDir === undefined) {
    // First start: pull the default model (progress on stderr); offline with nothing cached, explain.
    modelDir = await ensureDefaultModel({ dtype: config.dtype });
    if (modelDir === undefined) console.error(noModelHelp());
  }
  if (modelDir === undefined) return 1;
  config = { ...config, modelDir };
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

/**
 * `florence-gateway serve [--model DIR] [--port N] [--synthetic tiny|base]` (and `npm start`): the
 * GraphQL gateway. Settings come from the environment (README lists them); SIGTERM or SIGINT shuts
 * down gracefully: readiness off, in-flight requests finish, then the process exits.
 */
import { parseArgs } from 'node:util';
import { ensureSyntheticModel } from '../synth/cache.js';
import { ConfigError, loadConfig } from '../server/config.js';
import { startGateway } from '../server/gateway.js';
import { DTYPE_SUFFIXES, isModelDtype } from '../vision/modelFiles.js';
import { noModelHelp } from './modelDir.js';
import { ensureDefaultModel } from './modelPull.js';

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { model: { type: 'string' }, port: { type: 'string' }, synthetic: { type: 'string' } } });
  let modelDir: string | undefined;
  if (values.synthetic !== undefined) {
    if (values.synthetic !== 'tiny' && values.synthetic !== 'base') {
      console.error(`--synthetic takes tiny or base; got ${JSON.stringify(values.synthetic)}`);
      return 2;
    }
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
        return 2;
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
    return 2;
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

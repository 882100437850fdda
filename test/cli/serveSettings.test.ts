/**
 * `serve` checks every setting before it downloads or generates a model: a bad one is one line
 * naming it, exit 2, and nothing else happens (no pull, no synthetic model, no stack trace).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { florenceGateway } from '../helpers/cli.js';

let cache: string;
/** A hub address nothing listens on: a pull would fail with a network error, not a settings one. */
const NO_HUB = 'http://127.0.0.1:9';

before(async () => {
  cache = await mkdtemp(join(tmpdir(), 'serve-settings-'));
});
after(async () => {
  await rm(cache, { recursive: true, force: true });
});

const cases: [args: string[], env: NodeJS.ProcessEnv, stderr: string][] = [
  [['serve'], { DTYPE: 'fp64' }, 'error: DTYPE must be fp32, fp16, q8, int8, uint8, q4, q4f16 or bnb4 (default fp32); got "fp64"\n'],
  [['serve', '--port', '70000'], {}, 'error: --port must be a whole number from 0 to 65535 (default 4000); got "70000"\n'],
  [['serve'], { MAX_BATCH_JOBS: '0' }, 'error: MAX_BATCH_JOBS must be a whole number from 1 to 1024 (default 32); got "0"\n'],
  // pino would throw at the first log line; the table refuses it before anything starts.
  [
    ['serve', '--synthetic', 'tiny'],
    { LOG_LEVEL: 'verbose' },
    'error: LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent (default info); got "verbose"\n',
  ],
];

for (const [args, env, stderr] of cases) {
  test(`${args.join(' ')} with ${JSON.stringify(env)}: exit 2 before any model work`, async () => {
    const outcome = await florenceGateway(args, { ...env, HF_ENDPOINT: NO_HUB, XDG_CACHE_HOME: cache });
    assert.deepEqual(outcome, { code: 2, stdout: '', stderr });
    assert.deepEqual(await readdir(cache), [], 'nothing was downloaded or generated');
  });
}

/**
 * loadConfig through the configuration table: every default is the owning module's, every refusal
 * names the variable (or the flag), its range and its real default, and echoes what arrived.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, type Environment } from '../../src/server/config.js';
import { CONFIG_VARIABLES, readConfigValues } from '../../src/server/configVariables.js';

/** The message loadConfig refuses `env` with (fails the test when it accepts it). */
function refusal(env: Environment, flags: { model?: string; port?: string } = {}): { setting: string; message: string } {
  try {
    loadConfig(env, flags);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.name, 'ConfigError');
    return { setting: error.setting, message: error.message };
  }
  assert.fail(`loadConfig accepted ${JSON.stringify(env)} ${JSON.stringify(flags)}`);
}

describe('defaults', () => {
  test('the engine gets the engine defaults by value; the feature cache sizes itself', () => {
    assert.deepEqual(loadConfig({}).engine, {
      policy: 'continuous',
      batchWindowMs: 3,
      maxBatchJobs: 32,
      maxQueuedJobs: 256,
      maxVisionBatch: 1,
    });
    assert.equal(loadConfig({ FEATURE_CACHE_MB: '100' }).engine.featureCacheBytes, 100 * 1024 * 1024);
  });

  test('the cache, the server and the model defaults', () => {
    const config = loadConfig({});
    assert.deepEqual(
      {
        modelDir: config.modelDir,
        port: config.port,
        host: config.host,
        cacheUrl: config.cacheUrl,
        cacheNamespace: config.cacheNamespace,
        cacheRetryMs: config.cacheRetryMs,
        workLockTtlMs: config.workLockTtlMs,
        dtype: config.dtype,
        device: config.device,
        threads: config.threads,
        numBeams: config.numBeams,
        maxNewTokens: config.maxNewTokens,
        requestTimeoutMs: config.requestTimeoutMs,
        uploadTtlMs: config.uploadTtlMs,
        responseCacheBytes: config.responseCacheBytes,
        logLevel: config.logLevel,
        production: config.production,
      },
      {
        modelDir: undefined,
        port: 4000,
        host: '0.0.0.0',
        cacheUrl: 'memory://',
        cacheNamespace: 'florence',
        cacheRetryMs: 5000,
        workLockTtlMs: 30_000,
        dtype: 'fp32',
        device: 'cpu',
        threads: availableParallelism(),
        numBeams: 1,
        maxNewTokens: 1024,
        requestTimeoutMs: 120_000,
        uploadTtlMs: 86_400_000,
        responseCacheBytes: 64 * 1024 * 1024,
        logLevel: 'info',
        production: false,
      },
    );
  });

  test('blank means unset; a flag stands in for its variable', () => {
    assert.equal(loadConfig({ PORT: '  ', LOG_LEVEL: '' }).port, 4000);
    assert.equal(loadConfig({ PORT: '8080' }, { port: '9090' }).port, 9090);
    assert.equal(loadConfig({ MODEL_DIR: ' /models/a ' }).modelDir, '/models/a');
    assert.equal(loadConfig({ MODEL_DIR: '/models/a' }, { model: '/models/b' }).modelDir, '/models/b');
  });

  test('accepted spellings', () => {
    assert.equal(loadConfig({ SCHEDULER: 'BATCH' }).engine.policy, 'batch');
    assert.equal(loadConfig({ LOG_LEVEL: 'silent' }).logLevel, 'silent');
    assert.equal(loadConfig({ DTYPE: 'q4f16' }).dtype, 'q4f16');
    assert.equal(loadConfig({ FEDERATION: 'ON' }).federation, true);
    assert.equal(loadConfig({ NODE_ENV: 'production' }).introspection, false);
    assert.equal(loadConfig({ NODE_ENV: 'production', INTROSPECTION: 'yes' }).introspection, true);
    assert.equal(loadConfig({ CACHE_URL: 'redis://cache.internal:6380/2' }).cacheUrl, 'redis://cache.internal:6380/2');
  });
});

describe('refusals name the setting, its range and its real default', () => {
  const cases: [env: Environment, setting: string, message: string][] = [
    // These six printed "(default 0)" before the table: their defaults belong to the engine and the cache.
    [
      { BATCH_WINDOW_MS: '5000' },
      'BATCH_WINDOW_MS',
      'BATCH_WINDOW_MS must be a whole number of milliseconds from 0 to 1000 (default 3); got "5000"',
    ],
    [{ MAX_BATCH_JOBS: '0' }, 'MAX_BATCH_JOBS', 'MAX_BATCH_JOBS must be a whole number from 1 to 1024 (default 32); got "0"'],
    [{ MAX_QUEUED_JOBS: 'many' }, 'MAX_QUEUED_JOBS', 'MAX_QUEUED_JOBS must be a whole number from 1 to 100000 (default 256); got "many"'],
    [{ MAX_VISION_BATCH: '0' }, 'MAX_VISION_BATCH', 'MAX_VISION_BATCH must be a whole number from 1 to 64 (default 1); got "0"'],
    [
      { CACHE_RETRY_MS: '5' },
      'CACHE_RETRY_MS',
      'CACHE_RETRY_MS must be a whole number of milliseconds from 10 to 3600000 (default 5000); got "5"',
    ],
    [
      { FEATURE_CACHE_MB: '0' },
      'FEATURE_CACHE_MB',
      'FEATURE_CACHE_MB must be a whole number of MiB from 1 to 1000000 (default a tenth of memory, at most 2048); got "0"',
    ],
    [{ THREADS: '0' }, 'THREADS', `THREADS must be a whole number from 1 to 1024 (default ${availableParallelism()}); got "0"`],
    [
      { LOG_LEVEL: 'verbose' },
      'LOG_LEVEL',
      'LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent (default info); got "verbose"',
    ],
    [{ LOG_LEVEL: 'INFO' }, 'LOG_LEVEL', 'LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent (default info); got "INFO"'],
    [{ DTYPE: 'fp64' }, 'DTYPE', 'DTYPE must be fp32, fp16, q8, int8, uint8, q4, q4f16 or bnb4 (default fp32); got "fp64"'],
    [{ DEVICE: 'tpu' }, 'DEVICE', 'DEVICE must be cpu, cuda or webgpu (default cpu); got "tpu"'],
    [{ SCHEDULER: 'fifo' }, 'SCHEDULER', 'SCHEDULER must be continuous or batch (default continuous); got "fifo"'],
    [
      { CACHE_NAMESPACE: 'a b' },
      'CACHE_NAMESPACE',
      `CACHE_NAMESPACE must be 1–64 letters, digits, '.', '_' or '-' (default florence); got "a b"`,
    ],
    [
      { CACHE_URL: 'mongodb://db' },
      'CACHE_URL',
      'CACHE_URL "mongodb://db" has unknown scheme "mongodb:"; expected memory://, redis://host[:port][/db] or rediss://host[:port][/db]',
    ],
    [
      { WORK_LOCK_TTL_MS: '100' },
      'WORK_LOCK_TTL_MS',
      'WORK_LOCK_TTL_MS must be a whole number of milliseconds from 300 to 3600000 (default 30000); got "100"',
    ],
    [
      { RESPONSE_CACHE_MB: '-1' },
      'RESPONSE_CACHE_MB',
      'RESPONSE_CACHE_MB must be a whole number of MiB from 0 to 100000 (default 64); got "-1"',
    ],
    [{ PORT: '65536' }, 'PORT', 'PORT must be a whole number from 0 to 65535 (default 4000); got "65536"'],
    [{ FEDERATION: 'x'.repeat(50) }, 'FEDERATION', `FEDERATION must be true or false (default false); got "${'x'.repeat(40)}…"`],
  ];
  for (const [env, setting, message] of cases) {
    test(`${Object.entries(env)
      .map(([name, value]) => `${name}=${String(value).slice(0, 12)}`)
      .join(' ')}`, () => {
      assert.deepEqual(refusal(env), { setting, message });
    });
  }

  test('a bad --port names the flag, not PORT', () => {
    assert.deepEqual(refusal({ PORT: '8080' }, { port: 'http' }), {
      setting: '--port',
      message: '--port must be a whole number from 0 to 65535 (default 4000); got "http"',
    });
  });

  test('every whole-number variable states the default it really has', () => {
    const defaults: Readonly<Record<string, unknown>> = readConfigValues({});
    const checked: string[] = [];
    for (const [name, variable] of Object.entries(CONFIG_VARIABLES)) {
      if (!/^\d+–\d+( [A-Za-z]+)?$/.test(variable.parser.accepts)) continue;
      const stated = /\(default ([^)]*)\)/.exec(refusal({ [name]: 'x' }).message)?.[1];
      const value = defaults[name];
      assert.equal(stated, value === undefined ? variable.parser.defaultText : String(value), name);
      checked.push(name);
    }
    assert.equal(checked.length, 28, checked.join(' '));
  });
});

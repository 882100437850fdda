/** The structural Logger type is one a real pino logger satisfies (checked by the compiler). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createCacheStore } from '../../src/cache/createStore.js';
import type { Logger } from '../../src/shared/logger.js';

test('a pino logger is a cache Logger', async () => {
  const logger: Logger = pino({ level: 'silent' });
  const cache = await createCacheStore('memory://', { logger });
  await cache.set('k', { text: 'x' });
  assert.deepEqual(await cache.get('k', (value): value is { text: string } => typeof value === 'object'), { text: 'x' });
  await cache.close();
});

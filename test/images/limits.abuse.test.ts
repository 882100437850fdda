/** Misconfiguration: every bad environment value stops startup with a message naming it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/server/config.js';

const BAD_VALUES: readonly (readonly [string, string, string])[] = [
  ['MAX_IMAGE_BYTES', '20MB', 'MAX_IMAGE_BYTES must be a whole number of bytes from 1 to 1000000000 (default 20000000); got "20MB"'],
  ['MAX_IMAGE_BYTES', '0', 'MAX_IMAGE_BYTES must be a whole number of bytes from 1 to 1000000000 (default 20000000); got "0"'],
  ['MAX_IMAGE_BYTES', '-5', 'MAX_IMAGE_BYTES must be a whole number of bytes from 1 to 1000000000 (default 20000000); got "-5"'],
  ['MAX_IMAGE_BYTES', '1e7', 'MAX_IMAGE_BYTES must be a whole number of bytes from 1 to 1000000000 (default 20000000); got "1e7"'],
  ['MAX_IMAGE_BYTES', '2.5', 'MAX_IMAGE_BYTES must be a whole number of bytes from 1 to 1000000000 (default 20000000); got "2.5"'],
  ['MAX_IMAGE_BYTES', '0x100', 'MAX_IMAGE_BYTES must be a whole number of bytes from 1 to 1000000000 (default 20000000); got "0x100"'],
  [
    'MAX_IMAGE_BYTES',
    '5000000000',
    'MAX_IMAGE_BYTES must be a whole number of bytes from 1 to 1000000000 (default 20000000); got "5000000000"',
  ],
  ['MAX_IMAGE_PIXELS', 'lots', 'MAX_IMAGE_PIXELS must be a whole number of pixels from 1 to 1000000000 (default 50000000); got "lots"'],
  [
    'MAX_IMAGE_PIXELS',
    'Infinity',
    'MAX_IMAGE_PIXELS must be a whole number of pixels from 1 to 1000000000 (default 50000000); got "Infinity"',
  ],
  ['FETCH_TIMEOUT_MS', '10s', 'FETCH_TIMEOUT_MS must be a whole number of milliseconds from 1 to 600000 (default 10000); got "10s"'],
  [
    'FETCH_TIMEOUT_MS',
    '3600000',
    'FETCH_TIMEOUT_MS must be a whole number of milliseconds from 1 to 600000 (default 10000); got "3600000"',
  ],
  [
    'FETCH_TIMEOUT_MS',
    '9'.repeat(100),
    `FETCH_TIMEOUT_MS must be a whole number of milliseconds from 1 to 600000 (default 10000); got "${'9'.repeat(40)}…"`,
  ],
];

for (const [name, value, message] of BAD_VALUES) {
  test(`${name}=${value.slice(0, 20)} is refused at startup`, () => {
    assert.throws(
      () => loadConfig({ [name]: value }),
      (error: unknown) => error instanceof ConfigError && error.setting === name && error.message === message,
    );
  });
}

const BAD_ALLOW_HOSTS: readonly (readonly [string, RegExp])[] = [
  [
    '*',
    new RegExp(
      /^ALLOW_HOSTS entry "\*" is invalid: a wildcard is only allowed as a leading "\*\." \(e\.g\. \*\.example\.com\); /.source +
        /expected comma-separated host names/.source,
    ),
  ],
  ['localhost:3000', /^ALLOW_HOSTS entry "localhost:3000" is invalid: entries name hosts without a port or scheme; /],
  ['images.example.com, 10.0.0.0/40', /^ALLOW_HOSTS entry "10\.0\.0\.0\/40" is invalid: a CIDR range is /],
  ['10.0.0.0/8;192.168.0.0/16', /^ALLOW_HOSTS entry "10\.0\.0\.0\/8;192\.168\.0\.0\/16" is invalid/],
  ['images example com', /^ALLOW_HOSTS entry "images example com" is invalid: expected a host name/],
];

for (const [value, message] of BAD_ALLOW_HOSTS) {
  test(`ALLOW_HOSTS=${value} is refused at startup, naming the bad entry`, () => {
    assert.throws(
      () => loadConfig({ ALLOW_HOSTS: value }),
      (error: unknown) => error instanceof ConfigError && error.setting === 'ALLOW_HOSTS' && message.test(error.message),
    );
  });
}

test('the process environment is the default source', () => {
  const saved = process.env['MAX_IMAGE_BYTES'];
  process.env['MAX_IMAGE_BYTES'] = 'not a number';
  try {
    assert.throws(
      () => loadConfig(),
      (error: unknown) => error instanceof ConfigError && error.setting === 'MAX_IMAGE_BYTES',
    );
  } finally {
    if (saved === undefined) delete process.env['MAX_IMAGE_BYTES'];
    else process.env['MAX_IMAGE_BYTES'] = saved;
  }
});

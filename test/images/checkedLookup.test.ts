/**
 * createCheckedLookup, the `lookup` net calls instead of dns.lookup: the addresses it hands back are
 * exactly the ones it checked, and each call resolves and checks afresh (so a rebinding name cannot
 * pass the check with one answer and be connected with another).
 */
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { test } from 'node:test';
import { parseAllowHosts } from '../../src/images/addressPolicy.js';
import { FetchFailedError, FetchRefusedError } from '../../src/images/errors.js';
import { createCheckedLookup, type HostResolver } from '../../src/images/fetchImage.js';

interface LookupAnswer {
  readonly error: NodeJS.ErrnoException | null;
  readonly address: string | LookupAddress[];
  readonly family: number | undefined;
}

function callLookup(lookup: LookupFunction, hostname: string, all: boolean, family?: number): Promise<LookupAnswer> {
  return new Promise((resolve) =>
    lookup(hostname, { all, ...(family === undefined ? {} : { family }) }, (error, address, family) => resolve({ error, address, family })),
  );
}

const fixed =
  (...addresses: LookupAddress[]): HostResolver =>
  async () =>
    addresses;

const none = parseAllowHosts(undefined);

test('public addresses pass through unchanged, as a list (all: true) or the first one', async () => {
  const lookup = createCheckedLookup(none, fixed({ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }));
  assert.deepEqual(await callLookup(lookup, 'example.com', true), {
    error: null,
    address: [
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ],
    family: undefined,
  });
  assert.deepEqual(await callLookup(lookup, 'example.com', false), { error: null, address: '93.184.216.34', family: 4 });
});

test('any refused address refuses the whole name', async () => {
  const lookup = createCheckedLookup(none, fixed({ address: '93.184.216.34', family: 4 }, { address: 'fe80::1', family: 6 }));
  const { error } = await callLookup(lookup, 'example.com', true);
  assert.ok(error instanceof FetchRefusedError);
  assert.equal(error.code, 'FETCH_REFUSED');
  assert.match(error.message, /^the image host example\.com resolves to a link-local address; /);
});

test('each lookup resolves and checks again: a rebinding name is refused on the answer it gives', async () => {
  const answers: LookupAddress[][] = [[{ address: '93.184.216.34', family: 4 }], [{ address: '127.0.0.1', family: 4 }]];
  const lookup = createCheckedLookup(none, async () => answers.shift()!);
  assert.deepEqual((await callLookup(lookup, 'rebind.example', false)).address, '93.184.216.34');
  const second = await callLookup(lookup, 'rebind.example', false);
  assert.ok(second.error instanceof FetchRefusedError);
  assert.match(second.error.message, /resolves to a loopback address/);
});

test('the requested family is passed to the resolver', async () => {
  const families: number[] = [];
  const lookup = createCheckedLookup(none, async (_hostname, family) => {
    families.push(family);
    return [{ address: '8.8.8.8', family: 4 }];
  });
  await callLookup(lookup, 'a.example', true);
  await callLookup(lookup, 'a.example', true, 4);
  await callLookup(lookup, 'a.example', true, 6);
  assert.deepEqual(families, [0, 4, 6]);
});

test('an allowed name skips the check; an allowed range opens only its addresses', async () => {
  const loopback = fixed({ address: '127.0.0.1', family: 4 });
  assert.equal(
    (await callLookup(createCheckedLookup(parseAllowHosts('*.internal.example'), loopback), 'img.internal.example', false)).error,
    null,
  );
  assert.equal((await callLookup(createCheckedLookup(parseAllowHosts('127.0.0.0/8'), loopback), 'img.example', false)).error, null);
  const mixed = fixed({ address: '127.0.0.1', family: 4 }, { address: '10.0.0.1', family: 4 });
  const { error } = await callLookup(createCheckedLookup(parseAllowHosts('127.0.0.0/8'), mixed), 'img.example', true);
  assert.ok(error instanceof FetchRefusedError);
  assert.match(error.message, /private-network address/);
});

test('resolver failures and empty answers are typed DNS failures', async () => {
  const failing: HostResolver = async () => {
    throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example'), { code: 'ENOTFOUND' });
  };
  const notFound = await callLookup(createCheckedLookup(none, failing), 'nowhere.example', true);
  assert.ok(notFound.error instanceof FetchFailedError);
  assert.equal(notFound.error.reason, 'dns');
  assert.equal(notFound.error.message, 'the image host nowhere.example could not be resolved: no such host');

  const empty = await callLookup(createCheckedLookup(none, fixed()), 'empty.example', true, 6);
  assert.ok(empty.error instanceof FetchFailedError);
  assert.equal(empty.error.message, 'the image host empty.example has no IPv6 address');
});

test('a resolver answering with a non-address fails instead of letting net resolve it unchecked', async () => {
  const { error } = await callLookup(createCheckedLookup(none, fixed({ address: 'localhost', family: 4 })), 'odd.example', false);
  assert.ok(error instanceof FetchFailedError);
  assert.equal(error.message, 'the image host odd.example resolved to something that is not an IP address');
});

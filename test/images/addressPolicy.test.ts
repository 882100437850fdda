/** The address policy: which IPs are public and what every refused one is called. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyAddress, describeAddressClass, parseAllowHosts, type AddressClass } from '../../src/images/addressPolicy.js';
import { ImageConfigError } from '../../src/images/errors.js';

const CLASSIFICATION: readonly (readonly [string, AddressClass])[] = [
  // IPv4
  ['127.0.0.1', 'loopback'],
  ['127.1.2.3', 'loopback'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'reserved'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.1', 'public'],
  ['172.15.255.255', 'public'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['100.127.255.255', 'carrierGradeNat'],
  ['100.128.0.1', 'public'],
  ['169.254.169.254', 'metadata'],
  ['169.254.170.2', 'metadata'],
  ['100.100.100.200', 'metadata'],
  ['192.0.0.192', 'metadata'],
  ['169.254.1.1', 'linkLocal'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.0.8', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  // IPv6
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['fe80::1', 'linkLocal'],
  ['fe80::1%eth0', 'linkLocal'],
  ['fc00::1', 'uniqueLocal'],
  ['fd12:3456::1', 'uniqueLocal'],
  ['fd00:ec2::254', 'metadata'],
  ['fec0::1', 'private'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['2001::1', 'reserved'], // Teredo
  ['100::1', 'reserved'],
  ['4000::1', 'reserved'], // outside global unicast 2000::/3
  ['2001:4860:4860::8888', 'public'],
  ['2606:4700:4700::1111', 'public'],
  // IPv4-mapped: the kernel connects to the IPv4 address
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['::ffff:8.8.8.8', 'public'],
  // IPv4-compatible (deprecated), SIIT-translated
  ['::127.0.0.1', 'loopback'],
  ['::7f00:1', 'loopback'],
  ['::10.0.0.1', 'private'],
  ['::ffff:0:127.0.0.1', 'loopback'],
  // NAT64 well-known prefix, local-use NAT64
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::a9fe:a9fe', 'metadata'],
  ['64:ff9b::808:808', 'public'],
  ['64:ff9b:1::a00:1', 'reserved'],
  // 6to4
  ['2002:7f00:1::', 'loopback'],
  ['2002:a00:1::1', 'private'],
  ['2002:c0a8:101::', 'private'],
  ['2002:808:808::1', 'public'],
];

for (const [address, expected] of CLASSIFICATION) {
  test(`classifyAddress(${address}) is ${expected}`, () => {
    assert.equal(classifyAddress(address), expected);
  });
}

test('classifyAddress refuses non-addresses with a TypeError', () => {
  for (const text of ['localhost', '127.1', '0x7f.1', '2130706433', '[::1]', '']) {
    assert.throws(() => classifyAddress(text), {
      name: 'TypeError',
      message: `expected an IPv4 or IPv6 address, got ${JSON.stringify(text)}`,
    });
  }
});

test('describeAddressClass names the class for messages', () => {
  assert.equal(describeAddressClass('loopback'), 'a loopback address');
  assert.equal(describeAddressClass('metadata'), 'a cloud metadata address');
  assert.equal(describeAddressClass('carrierGradeNat'), 'a carrier-grade NAT address');
});

test('parseAllowHosts: nothing is allowed by default', () => {
  for (const value of [undefined, '', ' , ']) {
    const allow = parseAllowHosts(value);
    assert.deepEqual(allow.entries, []);
    assert.equal(allow.allowsHost('localhost'), false);
    assert.equal(allow.allowsAddress('127.0.0.1'), false);
  }
});

test('parseAllowHosts: exact names match case-insensitively, with or without a trailing dot', () => {
  const allow = parseAllowHosts('Images.Example.com, localhost');
  assert.deepEqual(allow.entries, ['images.example.com', 'localhost']);
  assert.equal(allow.allowsHost('images.example.com'), true);
  assert.equal(allow.allowsHost('IMAGES.EXAMPLE.COM.'), true);
  assert.equal(allow.allowsHost('localhost'), true);
  assert.equal(allow.allowsHost('cdn.images.example.com'), false);
  assert.equal(allow.allowsHost('example.com'), false);
  assert.equal(allow.allowsHost('127.0.0.1'), false);
});

test('parseAllowHosts: *.domain matches names below the domain, not the domain itself', () => {
  const allow = parseAllowHosts('*.cdn.example.com');
  assert.equal(allow.allowsHost('a.cdn.example.com'), true);
  assert.equal(allow.allowsHost('a.b.cdn.example.com'), true);
  assert.equal(allow.allowsHost('cdn.example.com'), false);
  assert.equal(allow.allowsHost('evilcdn.example.com'), false);
});

test('parseAllowHosts: international names are stored as punycode, like WHATWG URL hosts', () => {
  const allow = parseAllowHosts('bücher.example');
  assert.deepEqual(allow.entries, ['xn--bcher-kva.example']);
  assert.equal(allow.allowsHost(new URL('http://BÜCHER.example/').hostname), true);
});

test('parseAllowHosts: IP addresses and CIDR ranges, IPv4 entries covering mapped forms', () => {
  const allow = parseAllowHosts('127.0.0.1, [::1], 10.0.0.0/8, fd00::/8, ::ffff:192.168.0.0/112');
  assert.deepEqual(allow.entries, ['127.0.0.1', '::1', '10.0.0.0/8', 'fd00::/8', '192.168.0.0/16']);
  const cases: readonly (readonly [string, boolean])[] = [
    ['127.0.0.1', true],
    ['127.0.0.2', false],
    ['::ffff:127.0.0.1', true],
    ['::1', true],
    ['[::1]', true],
    ['10.200.3.4', true],
    ['11.0.0.1', false],
    ['fd12::1', true],
    ['fc00::1', false],
    ['192.168.7.7', true],
    ['not an address', false],
  ];
  for (const [address, expected] of cases) assert.equal(allow.allowsAddress(address), expected, address);
  assert.equal(allow.allowsHost('[::1]'), true);
  assert.equal(allow.allowsHost('10.1.1.1'), true);
});

const INVALID_ENTRIES: readonly (readonly [string, RegExp])[] = [
  ['localhost:8080', /"localhost:8080" is invalid: entries name hosts without a port or scheme/],
  ['http://example.com', /"http:\/\/example.com" is invalid/],
  ['*', /"\*" is invalid: a wildcard is only allowed as a leading "\*\."/],
  ['images.*.example.com', /a wildcard is only allowed as a leading/],
  ['exa mple.com', /expected a host name like images.example.com/],
  ['-bad-.example.com', /expected a host name/],
  ['127.1', /write IP addresses in full/],
  ['10.0.0.0/33', /prefix length \(0–32 for IPv4, 0–128 for IPv6\)/],
  ['10.0.0.0/', /CIDR range/],
  ['::1/129', /CIDR range/],
  ['example.com/8', /CIDR range/],
  ['10.0.0.0/8/8', /CIDR range/],
];

for (const [entry, message] of INVALID_ENTRIES) {
  test(`parseAllowHosts refuses ${JSON.stringify(entry)} with a startup error naming it`, () => {
    assert.throws(
      () => parseAllowHosts(`images.example.com,${entry}`),
      (error: unknown) =>
        error instanceof ImageConfigError &&
        error.setting === 'ALLOW_HOSTS' &&
        message.test(error.message) &&
        /^ALLOW_HOSTS entry /.test(error.message),
    );
  });
}

/**
 * Which IP addresses the gateway may fetch images from (DESIGN.md §6). An address is either
 * `public` or one of the named refused classes; IPv6 forms that carry an IPv4 address (mapped,
 * compatible, translated, NAT64, 6to4) are judged by the IPv4 address inside, because that is where
 * the packets end up. IPv6 outside global unicast (2000::/3) is refused as reserved: an allowlist of
 * the routable space is safer than a denylist of everything else.
 *
 * `ALLOW_HOSTS` (parsed by `parseAllowHosts`) lets an operator open chosen names or ranges, e.g. an
 * internal image store on 10.0.0.0/8; an allowed host or address skips the class check.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { ImageConfigError } from './errors.js';

/** Address classes that are never fetched unless ALLOW_HOSTS allows them. */
export const REFUSED_ADDRESS_CLASSES = [
  'unspecified',
  'loopback',
  'private',
  'carrierGradeNat',
  'linkLocal',
  'uniqueLocal',
  'multicast',
  'broadcast',
  'reserved',
  'documentation',
  'metadata',
] as const;
export type RefusedAddressClass = (typeof REFUSED_ADDRESS_CLASSES)[number];
export type AddressClass = 'public' | RefusedAddressClass;

/** Hosts and addresses the operator opened with ALLOW_HOSTS. */
export interface AllowHosts {
  /** The entries as configured, normalised (lowercase, punycode); empty when nothing is opened. */
  readonly entries: readonly string[];
  /** Whether a URL's host (name or IP literal, brackets optional) is opened by name or address. */
  allowsHost(host: string): boolean;
  /** Whether an IP address is opened by an IP or CIDR entry (`::ffff:a.b.c.d` matches `a.b.c.d`). */
  allowsAddress(address: string): boolean;
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = readonly [network: Address, prefixLength: number, addressClass: RefusedAddressClass];

/** First match wins, so the specific ranges (metadata, broadcast) come before the ranges around them. */
const IPV4_RANGES: readonly Range[] = [
  range('169.254.169.254/32', 'metadata'), // AWS, GCP, Azure, OpenStack, DigitalOcean instance metadata
  range('169.254.170.2/32', 'metadata'), // AWS ECS task credentials endpoint
  range('100.100.100.200/32', 'metadata'), // Alibaba Cloud instance metadata
  range('192.0.0.192/32', 'metadata'), // Oracle Cloud instance metadata
  range('0.0.0.0/32', 'unspecified'), // Linux connects 0.0.0.0 to the local host
  range('0.0.0.0/8', 'reserved'), // "this network" (RFC 1122)
  range('127.0.0.0/8', 'loopback'),
  range('10.0.0.0/8', 'private'), // RFC 1918
  range('172.16.0.0/12', 'private'), // RFC 1918
  range('192.168.0.0/16', 'private'), // RFC 1918
  range('100.64.0.0/10', 'carrierGradeNat'), // RFC 6598: the provider's side of a NAT
  range('169.254.0.0/16', 'linkLocal'),
  range('192.0.2.0/24', 'documentation'), // TEST-NET-1
  range('198.51.100.0/24', 'documentation'), // TEST-NET-2
  range('203.0.113.0/24', 'documentation'), // TEST-NET-3
  range('192.0.0.0/24', 'reserved'), // IETF protocol assignments (DS-Lite, NAT64 discovery…)
  range('192.88.99.0/24', 'reserved'), // deprecated 6to4 relay anycast
  range('198.18.0.0/15', 'reserved'), // benchmarking (RFC 2544)
  range('224.0.0.0/4', 'multicast'),
  range('255.255.255.255/32', 'broadcast'),
  range('240.0.0.0/4', 'reserved'), // "future use", never routed
];

/** Checked before the IPv4-embedding forms, so `::` and `::1` are not read as IPv4-compatible. */
const IPV6_RANGES: readonly Range[] = [
  range('fd00:ec2::254/128', 'metadata'), // AWS instance metadata over IPv6
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  range('fe80::/10', 'linkLocal'),
  range('fec0::/10', 'private'), // deprecated site-local: IPv6's first private range
  range('fc00::/7', 'uniqueLocal'),
  range('ff00::/8', 'multicast'),
  range('2001:db8::/32', 'documentation'),
  range('3fff::/20', 'documentation'), // RFC 9637
  range('100::/64', 'reserved'), // discard-only (RFC 6666)
  range('2001::/23', 'reserved'), // IETF protocol assignments; includes Teredo, whose IPv4 is obfuscated
  range('64:ff9b:1::/48', 'reserved'), // local-use NAT64: translates into the operator's own network
  range('5f00::/16', 'reserved'), // SRv6 segment identifiers
];

/** Everything routable on the IPv6 internet lies here (RFC 4291); the rest is refused as reserved. */
const IPV6_GLOBAL_UNICAST = range('2000::/3', 'reserved');

const CLASS_DESCRIPTIONS: Readonly<Record<RefusedAddressClass, string>> = {
  unspecified: 'the unspecified address',
  loopback: 'a loopback address',
  private: 'a private-network address',
  carrierGradeNat: 'a carrier-grade NAT address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a unique-local address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  documentation: 'a documentation-only address',
  metadata: 'a cloud metadata address',
};

/**
 * The class of an IP address in canonical text form (what DNS and WHATWG URL produce; an IPv6 zone
 * `%eth0` is ignored). Throws TypeError for anything else: callers classify addresses, not names.
 */
export function classifyAddress(address: string): AddressClass {
  const parsed = parseAddress(address);
  if (parsed === undefined) throw new TypeError(`expected an IPv4 or IPv6 address, got ${JSON.stringify(address)}`);
  return classify(parsed);
}

/** "a loopback address", "a cloud metadata address"… for messages like "x resolves to …". */
export function describeAddressClass(addressClass: RefusedAddressClass): string {
  return CLASS_DESCRIPTIONS[addressClass];
}

/** Whether `text` is an IP address (dotted-quad IPv4 or IPv6, no brackets). */
export function isIpAddress(text: string): boolean {
  return isIPv4(text) || isIPv6(text);
}

/**
 * Parses ALLOW_HOSTS: comma-separated entries, each a host name (exact, case-insensitive), a
 * `*.example.com` wildcard (any name below example.com, not example.com itself), an IP address
 * (`127.0.0.1`, `::1`, `[::1]`) or a CIDR range (`10.0.0.0/8`, `fd00::/8`). Empty entries are
 * ignored. An invalid entry throws ImageConfigError naming it, so a typo stops startup instead of
 * silently leaving a host closed (or open).
 */
export function parseAllowHosts(value: string | undefined): AllowHosts {
  const names = new Set<string>();
  const suffixes: string[] = [];
  const ranges: (readonly [Address, number])[] = [];
  const entries: string[] = [];
  for (const rawEntry of (value ?? '').split(',')) {
    const entry = rawEntry.trim();
    if (entry === '') continue;
    const unbracketed = entry.startsWith('[') && entry.endsWith(']') ? entry.slice(1, -1) : entry;
    if (entry.includes('/')) {
      const cidr = parseCidr(entry);
      ranges.push(cidr);
      entries.push(`${cidr[0].toString()}/${cidr[1]}`);
    } else if (isIpAddress(unbracketed)) {
      const address = unmapped(parseAddress(unbracketed)!);
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      entries.push(address.toString());
    } else if (entry.startsWith('*.')) {
      const suffix = parseHostName(entry.slice(2), entry);
      suffixes.push(`.${suffix}`);
      entries.push(`*.${suffix}`);
    } else {
      const name = parseHostName(entry, entry);
      names.add(name);
      entries.push(name);
    }
  }

  const allowsAddress = (address: string): boolean => {
    const parsed = parseAddress(stripBrackets(address));
    if (parsed === undefined) return false;
    const candidate = unmapped(parsed);
    return ranges.some(([network, prefixLength]) => network.kind() === candidate.kind() && candidate.match(network, prefixLength));
  };
  const allowsHost = (host: string): boolean => {
    const bare = stripBrackets(host);
    if (isIpAddress(bare)) return allowsAddress(bare);
    const name = normaliseHostName(bare);
    return names.has(name) || suffixes.some((suffix) => name.endsWith(suffix));
  };
  return Object.freeze({ entries: Object.freeze(entries), allowsHost, allowsAddress });
}

function classify(address: Address): AddressClass {
  if (address.kind() === 'ipv4') return matchRange(address, IPV4_RANGES) ?? 'public';
  const listed = matchRange(address, IPV6_RANGES);
  if (listed !== undefined) return listed;
  const embedded = embeddedIpv4(address as ipaddr.IPv6);
  if (embedded !== undefined) return classify(embedded);
  return matchRange(address, [IPV6_GLOBAL_UNICAST]) === undefined ? 'reserved' : 'public';
}

function matchRange(address: Address, ranges: readonly Range[]): RefusedAddressClass | undefined {
  for (const [network, prefixLength, addressClass] of ranges) {
    if (network.kind() === address.kind() && address.match(network, prefixLength)) return addressClass;
  }
  return undefined;
}

/**
 * The IPv4 address an IPv6 address delivers to: `::ffff:a.b.c.d` (mapped; the kernel connects to
 * the IPv4 address), `::a.b.c.d` (compatible, deprecated), `::ffff:0:a.b.c.d` (SIIT translated),
 * `64:ff9b::a.b.c.d` (NAT64) and `2002:aabb:ccdd::/48` (6to4).
 */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = address.parts;
  const fromWords = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  const zeroUpTo = (end: number) => p.slice(0, end).every((word) => word === 0);
  if (zeroUpTo(5) && p[5] === 0xffff) return fromWords(p[6]!, p[7]!);
  if (zeroUpTo(6)) return fromWords(p[6]!, p[7]!);
  if (zeroUpTo(4) && p[4] === 0xffff && p[5] === 0) return fromWords(p[6]!, p[7]!);
  if (p[0] === 0x64 && p[1] === 0xff9b && p.slice(2, 6).every((word) => word === 0)) return fromWords(p[6]!, p[7]!);
  if (p[0] === 0x2002) return fromWords(p[1]!, p[2]!);
  return undefined;
}

/** `::ffff:a.b.c.d` as `a.b.c.d`, so an IPv4 allow entry covers the mapped form too. */
function unmapped(address: Address): Address {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
}

function parseAddress(text: string): Address | undefined {
  if (isIPv4(text)) return ipaddr.IPv4.parse(text);
  if (!isIPv6(text)) return undefined;
  // ipaddr.js reads any dotted IPv6 tail as IPv4-mapped (`::127.0.0.1` becomes ::ffff:7f00:1), which
  // would misclassify IPv4-compatible forms; so the tail becomes two hex words first.
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)(%.*)?$/.exec(text);
  if (dotted === null) return ipaddr.IPv6.parse(text);
  const [a, b, c, d] = dotted.slice(2, 6).map(Number) as [number, number, number, number];
  const hex = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}${dotted[6] ?? ''}`;
  return ipaddr.IPv6.parse(hex);
}

function parseCidr(entry: string): readonly [Address, number] {
  const [addressPart = '', prefixPart = '', ...rest] = entry.split('/');
  const address = parseAddress(stripBrackets(addressPart));
  const maxPrefix = address?.kind() === 'ipv4' ? 32 : 128;
  if (address === undefined || rest.length > 0 || !/^\d{1,3}$/.test(prefixPart) || Number(prefixPart) > maxPrefix) {
    throw invalidEntry(entry, 'a CIDR range is an IP address, "/" and a prefix length (0–32 for IPv4, 0–128 for IPv6)');
  }
  const prefixLength = Number(prefixPart);
  // A mapped IPv6 range (::ffff:10.0.0.0/104) is stored as its IPv4 range, like single addresses.
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && prefixLength >= 96) {
    return [(address as ipaddr.IPv6).toIPv4Address(), prefixLength - 96];
  }
  return [address, prefixLength];
}

/** A DNS name as WHATWG URL would present it: lowercase, punycode, no trailing dot. */
function parseHostName(text: string, entry: string): string {
  if (text.includes(':')) throw invalidEntry(entry, 'entries name hosts without a port or scheme');
  if (text.includes('*')) throw invalidEntry(entry, 'a wildcard is only allowed as a leading "*." (e.g. *.example.com)');
  const name = normaliseHostName(domainToASCII(text));
  const labels = name.split('.');
  const validLabels = labels.every((label) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label));
  if (name === '' || name.length > 253 || !validLabels) {
    throw invalidEntry(entry, 'expected a host name like images.example.com');
  }
  // WHATWG URL reads a numeric last label as IPv4 (`10.1` is 10.0.0.1), so such a name never matches.
  if (/^(?:\d+|0x[0-9a-f]*)$/.test(labels[labels.length - 1]!)) {
    throw invalidEntry(entry, 'write IP addresses in full (e.g. 10.0.0.1) or as a CIDR range');
  }
  return name;
}

function normaliseHostName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function invalidEntry(entry: string, hint: string): ImageConfigError {
  return new ImageConfigError(
    'ALLOW_HOSTS',
    `ALLOW_HOSTS entry ${JSON.stringify(entry)} is invalid: ${hint}; expected comma-separated host names, ` +
      '"*.domain" wildcards, IP addresses or CIDR ranges, e.g. "images.example.com,*.cdn.example.com,10.0.0.0/8,::1"',
  );
}

function range(cidr: string, addressClass: RefusedAddressClass): Range {
  const [network, prefixLength] = ipaddr.parseCIDR(cidr);
  return [network, prefixLength, addressClass];
}

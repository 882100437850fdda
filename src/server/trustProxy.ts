/**
 * TRUST_PROXY: which hops in front of the gateway may name the client in `X-Forwarded-For`.
 * Behind a load balancer every request arrives from the balancer's address, so per-client rate
 * limits (and request logs) need the address it forwards; trusting that header from anyone else
 * would let a client pick its own rate-limit key. Off by default (the socket address counts).
 *
 * Accepted: a hop count (`1`: the one proxy in front of us), or a comma-separated list of addresses,
 * CIDR ranges and express' names `loopback`, `linklocal`, `uniquelocal`. `true` is refused on purpose:
 * it trusts whatever a client writes in the header.
 */
import ipaddr from 'ipaddr.js';

/** What express' `trust proxy` setting receives: a hop count or the trusted addresses. */
export type TrustProxySetting = number | readonly string[];

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);
/** More hops than any real deployment chains; beyond it a typo is likelier than an architecture. */
const MAX_HOPS = 16;
const SYNTAX = 'a hop count (e.g. 1) or a comma-separated list of addresses, CIDR ranges or loopback, linklocal, uniquelocal';

/** The setting for `TRUST_PROXY`, undefined when it is unset (trust no proxy). Throws on anything else. */
export function parseTrustProxy(text: string | undefined): TrustProxySetting | undefined {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '' || trimmed === 'false' || trimmed === '0') return undefined;
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    if (hops > MAX_HOPS) throw new Error(`TRUST_PROXY allows at most ${MAX_HOPS} hops; got ${hops}`);
    return hops;
  }
  if (trimmed === 'true') {
    throw new Error(`TRUST_PROXY=true would let any client choose the address it is counted by; give ${SYNTAX}`);
  }
  const entries = trimmed.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (NAMED_RANGES.has(entry) || ipaddr.isValid(entry) || isCidr(entry)) continue;
    throw new Error(`TRUST_PROXY must be ${SYNTAX}; ${JSON.stringify(entry.slice(0, 60))} is none of these`);
  }
  return entries;
}

function isCidr(text: string): boolean {
  try {
    ipaddr.parseCIDR(text);
    return true;
  } catch {
    return false;
  }
}

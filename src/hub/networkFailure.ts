/**
 * What went wrong on the wire, in words a user can act on: `fetch` reports every network failure as
 * "TypeError: fetch failed" and keeps the reason (a DNS miss, a refused connection, a certificate it
 * would not trust) in `cause`, sometimes one level further down or inside an AggregateError (one
 * error per address tried).
 */

/** System and undici error codes → what they mean to someone pulling a model. */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed',
  EAI_FAIL: 'DNS lookup failed',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  UND_ERR_SOCKET: 'connection closed by the other side',
};

/** Certificate problems (expired, self-signed, wrong host, unknown issuer) carry these in their codes. */
const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;
/** TLS protocol failures: https to a plain-http port, no common cipher, … */
const TLS_CODE = /^ERR_SSL_|^ERR_TLS_|^EPROTO$/;
/** How deep a cause chain is followed: fetch nests two levels; more would be a loop. */
const MAX_CAUSE_DEPTH = 5;

/**
 * "DNS lookup failed (ENOTFOUND)", "connection refused (ECONNREFUSED)", "TLS certificate not
 * accepted: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)"; the innermost message when no
 * code is known.
 */
export function describeNetworkFailure(error: unknown): string {
  const { code, message } = innermost(error);
  if (code === undefined) return message;
  const known = DESCRIPTIONS[code];
  if (known !== undefined) return `${known} (${code})`;
  if (CERTIFICATE_CODE.test(code)) return `TLS certificate not accepted: ${message} (${code})`;
  if (TLS_CODE.test(code)) return `TLS handshake failed (${code})`;
  return `${message} (${code})`;
}

/** The first error down the cause chain that has a code, else the innermost one's message. */
function innermost(error: unknown): { code: string | undefined; message: string } {
  let current: unknown = error;
  let message = messageOf(error);
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current !== undefined && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    message = messageOf(current) || message;
    if (typeof code === 'string' && code !== '') return { code, message };
    // An AggregateError (one failure per address tried) without a code of its own: the first says it.
    const errors = (current as { errors?: unknown }).errors;
    current = Array.isArray(errors) && errors.length > 0 ? errors[0] : (current as { cause?: unknown }).cause;
  }
  return { code: undefined, message };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined || error === null ? '' : String(error);
}

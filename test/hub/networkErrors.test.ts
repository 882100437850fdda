/**
 * A pull that cannot reach the hub says what failed (DNS, a refused connection, TLS), never a bare
 * "request closed": `describeNetworkFailure` over the shapes fetch reports, then `model pull` as a
 * process and `pullModel` against the stand-in hub with its CDN gone.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HubError } from '../../src/hub/errors.js';
import { describeNetworkFailure } from '../../src/hub/networkFailure.js';
import { pullModel } from '../../src/hub/pull.js';
import { florenceGateway } from '../helpers/cli.js';
import { tinyModelDir } from '../helpers/models.js';
import { freePort } from '../helpers/ports.js';
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from '../images/support/selfSignedCert.js';
import { StandInHub } from './support/standInHub.js';

const REVISION_PATH = '/api/models/onnx-community/Florence-2-base-ft/revision/main';

/** What fetch rejects with: a TypeError whose cause is the system error. */
function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('describeNetworkFailure', () => {
  const cases: [what: string, error: unknown, described: string][] = [
    ['DNS', fetchFailed(systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND huggingface.co')), 'DNS lookup failed (ENOTFOUND)'],
    [
      'DNS without a network',
      fetchFailed(systemError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN huggingface.co')),
      'DNS lookup failed (EAI_AGAIN)',
    ],
    ['refused', fetchFailed(systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1234')), 'connection refused (ECONNREFUSED)'],
    [
      'refused on every address (an AggregateError without a code)',
      fetchFailed(
        new AggregateError(
          [
            systemError('ECONNREFUSED', 'connect ECONNREFUSED ::1:1234'),
            systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1234'),
          ],
          '',
        ),
      ),
      'connection refused (ECONNREFUSED)',
    ],
    [
      'connect timeout',
      fetchFailed(systemError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error')),
      'connection timed out (UND_ERR_CONNECT_TIMEOUT)',
    ],
    ['reset', fetchFailed(systemError('ECONNRESET', 'read ECONNRESET')), 'connection reset (ECONNRESET)'],
    ['unreachable', fetchFailed(systemError('ENETUNREACH', 'connect ENETUNREACH')), 'network unreachable (ENETUNREACH)'],
    [
      'expired certificate',
      fetchFailed(systemError('CERT_HAS_EXPIRED', 'certificate has expired')),
      'TLS certificate not accepted: certificate has expired (CERT_HAS_EXPIRED)',
    ],
    [
      'wrong host',
      fetchFailed(systemError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames")),
      "TLS certificate not accepted: Hostname/IP does not match certificate's altnames (ERR_TLS_CERT_ALTNAME_INVALID)",
    ],
    [
      'https to a plain port',
      fetchFailed(systemError('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number')),
      'TLS handshake failed (ERR_SSL_WRONG_VERSION_NUMBER)',
    ],
    ['an unknown code', fetchFailed(systemError('EWHATEVER', 'something odd')), 'something odd (EWHATEVER)'],
    ['no code at all', fetchFailed(new Error('other side closed')), 'other side closed'],
    ['not an Error', 'plain text', 'plain text'],
  ];
  for (const [what, error, described] of cases) {
    test(what, () => assert.equal(describeNetworkFailure(error), described));
  }
});

describe('model pull that cannot reach the hub', () => {
  let work: string;
  let caseNumber = 0;
  const freshCache = (): string => join(work, `cache-${++caseNumber}`);

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'hub-network-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('a refused connection is named, with the URL it was for', async () => {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const { code, stdout, stderr } = await florenceGateway(['model', 'pull'], { HF_ENDPOINT: endpoint, XDG_CACHE_HOME: freshCache() });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, `error: cannot reach 127.0.0.1:${port}: connection refused (ECONNREFUSED) for ${endpoint}${REVISION_PATH}\n`);
  });

  test('a host that does not resolve is a DNS failure', async () => {
    const endpoint = 'http://hub.florence-gateway.invalid';
    const { code, stderr } = await florenceGateway(['model', 'pull'], { HF_ENDPOINT: endpoint, XDG_CACHE_HOME: freshCache() });
    assert.equal(code, 1);
    // ENOTFOUND where a resolver answers; EAI_AGAIN on a machine without one.
    assert.match(
      stderr,
      new RegExp(
        /^error: cannot reach hub\.florence-gateway\.invalid: DNS lookup failed \((ENOTFOUND|EAI_AGAIN)\) for /.source +
          /http:\/\/hub\.florence-gateway\.invalid\/api\/models\/onnx-community\/Florence-2-base-ft\/revision\/main\n$/.source,
      ),
    );
  });

  test('a certificate the client does not trust is a TLS failure', async () => {
    const server = createServer({ key: SELF_SIGNED_KEY, cert: SELF_SIGNED_CERT }, (_request, response) => response.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const endpoint = `https://127.0.0.1:${port}`;
      const { code, stderr } = await florenceGateway(['model', 'pull'], { HF_ENDPOINT: endpoint, XDG_CACHE_HOME: freshCache() });
      assert.equal(code, 1);
      assert.equal(
        stderr,
        `error: cannot reach 127.0.0.1:${port}: TLS certificate not accepted: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT) for ` +
          `${endpoint}${REVISION_PATH}\n`,
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('the hub answers but its CDN refuses: the CDN is named', async () => {
    const hub = await StandInHub.start({ sourceDir: await tinyModelDir(), redirectLfs: true });
    try {
      const cdn = new URL(hub.cdnOrigin);
      await hub.closeCdn();
      await assert.rejects(
        pullModel({
          env: { HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: freshCache() },
          retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
        }),
        (error: unknown) =>
          error instanceof HubError &&
          error.kind === 'network' &&
          error.message.startsWith(`cannot reach ${cdn.host}: connection refused (ECONNREFUSED) for ${hub.cdnOrigin}/`) &&
          !error.message.includes('request closed'),
      );
    } finally {
      await hub.close();
    }
  });
});

/** A throwaway HTTP server on a loopback address for fetch tests; nothing leaves the machine. */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  readonly port: number;
  /** `http://127.0.0.1:PORT` (or `http://[::1]:PORT`), no trailing slash. */
  readonly origin: string;
  /** Requests seen, in order. */
  readonly requests: IncomingMessage[];
  close(): Promise<void>;
}

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** Starts a server on `host` (default 127.0.0.1) and an ephemeral port. */
export async function startServer(handler: Handler, host = '127.0.0.1'): Promise<LocalServer> {
  const requests: IncomingMessage[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request);
    handler(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Whether this machine can listen on ::1 (some containers have no IPv6). */
export async function canListenOnIpv6Loopback(): Promise<boolean> {
  try {
    const probe = await startServer(() => {});
    await probe.close();
    const server = await startServer(() => {}, '::1');
    await server.close();
    return true;
  } catch {
    return false;
  }
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = await startServer(() => {});
  await server.close();
  return server.port;
}

/** Loopback ports for tests: one that is free now (a private server takes it next, or nothing does). */
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that nothing listens on: bound, noted, released. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

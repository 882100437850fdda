/**
 * One pull per folder at a time: two `serve` processes starting together on a fresh machine must
 * not append to the same `.incomplete` file. The lock is a file created exclusively, holding the
 * owner's pid; a lock whose process is gone is stale and taken over.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HubError } from './errors.js';

export const LOCK_NAME = '.florence-pull.lock';

/** Takes the folder's pull lock; resolves with its release. */
export async function acquirePullLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_NAME);
  for (let attempt = 0; ; attempt++) {
    // Written aside and hard-linked into place: the lock appears atomically with its pid inside,
    // so no other process ever reads an empty lock and mistakes it for a stale one.
    const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temp, `${process.pid}\n`);
    try {
      await link(temp, path);
      return async () => {
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(path);
      // Second attempt failing too means another process keeps re-taking it: report rather than loop.
      if (attempt > 0 || (owner !== undefined && isAlive(owner))) {
        throw new HubError(
          'busy',
          `another pull (pid ${owner ?? 'unknown'}) is writing ${dir}; wait for it to finish, or delete ${path} if no pull is running`,
        );
      }
      await rm(path, { force: true });
    } finally {
      await rm(temp, { force: true });
    }
  }
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    // Signal 0 checks existence without touching the process.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

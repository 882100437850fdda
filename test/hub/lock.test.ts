/** The per-folder pull lock: one pull writes a folder at a time; a lock whose owner is gone is taken over. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HubError } from '../../src/hub/errors.js';
import { LOCK_NAME, acquirePullLock } from '../../src/hub/lock.js';

let work: string;
let caseNumber = 0;
const freshDir = async (): Promise<string> => mkdtemp(join(work, `case-${++caseNumber}-`));

/** The pid of a process that has exited (a short-lived child), so no live process owns it. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  assert.ok(child.pid !== undefined && child.status === 0);
  return child.pid;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'hub-lock-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('acquirePullLock', () => {
  test('holds the pid while taken; release removes the lock', async () => {
    const dir = await freshDir();
    const release = await acquirePullLock(dir);
    assert.equal(readFileSync(join(dir, LOCK_NAME), 'utf8'), `${process.pid}\n`);
    await release();
    assert.ok(!existsSync(join(dir, LOCK_NAME)));
    // Free again: the next pull takes it.
    await (
      await acquirePullLock(dir)
    )();
  });

  test('a second pull into the same folder is refused as busy, naming the owner and the lock file', async () => {
    const dir = await freshDir();
    const release = await acquirePullLock(dir);
    try {
      await assert.rejects(acquirePullLock(dir), (error: unknown) => {
        assert.ok(error instanceof HubError);
        assert.equal(error.kind, 'busy');
        const lock = join(dir, LOCK_NAME);
        const hint = `wait for it to finish, or delete ${lock} if no pull is running`;
        assert.equal(error.message, `another pull (pid ${process.pid}) is writing ${dir}; ${hint}`);
        return true;
      });
      assert.equal(readFileSync(join(dir, LOCK_NAME), 'utf8'), `${process.pid}\n`, 'the refused pull leaves the lock alone');
    } finally {
      await release();
    }
  });

  test('a lock left by a process that is gone is taken over', async () => {
    const dir = await freshDir();
    writeFileSync(join(dir, LOCK_NAME), `${deadPid()}\n`);
    const release = await acquirePullLock(dir);
    assert.equal(readFileSync(join(dir, LOCK_NAME), 'utf8'), `${process.pid}\n`);
    await release();
  });

  test('an unreadable lock (no pid in it) counts as stale', async () => {
    const dir = await freshDir();
    writeFileSync(join(dir, LOCK_NAME), 'not a pid\n');
    const release = await acquirePullLock(dir);
    assert.equal(readFileSync(join(dir, LOCK_NAME), 'utf8'), `${process.pid}\n`);
    await release();
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TimeShares } from '../../src/engine/timeShares.js';

type Kind = 'decode' | 'vision';

/** Runs `rounds` picks with both kinds pending, charging each pick its cost; returns ms used per kind. */
function simulate(shares: TimeShares<Kind>, cost: Record<Kind, number>, rounds: number): Record<Kind, number> {
  const used = { decode: 0, vision: 0 };
  for (let i = 0; i < rounds; i++) {
    const kind = shares.pick(['decode', 'vision'])!;
    shares.charge(kind, cost[kind]);
    used[kind] += cost[kind];
  }
  return used;
}

describe('TimeShares', () => {
  it('splits the thread in proportion to the weights, in milliseconds used, whatever each unit costs', () => {
    const used = simulate(new TimeShares<Kind>({ decode: 2, vision: 1 }), { decode: 30, vision: 500 }, 2000);
    const share = used.decode / (used.decode + used.vision);
    assert.ok(Math.abs(share - 2 / 3) < 0.02, `decode got ${share.toFixed(3)} of the time`);
  });

  it('gives a kind alone all of the thread, and nothing when no kind has work', () => {
    const shares = new TimeShares<Kind>({ decode: 2, vision: 1 });
    for (let i = 0; i < 5; i++) {
      assert.equal(shares.pick(['vision']), 'vision');
      shares.charge('vision', 100);
    }
    assert.equal(shares.pick([]), undefined);
  });

  it('banks no credit while idle: a kind returning after a long absence does not lock the other out', () => {
    const shares = new TimeShares<Kind>({ decode: 1, vision: 1 });
    // Vision runs alone for a long time; then decode arrives.
    for (let i = 0; i < 100; i++) {
      shares.pick(['vision']);
      shares.charge('vision', 100);
    }
    const picks: Kind[] = [];
    for (let i = 0; i < 6; i++) {
      const kind = shares.pick(['decode', 'vision'])!;
      shares.charge(kind, 100);
      picks.push(kind);
    }
    assert.deepEqual(picks.filter((kind) => kind === 'vision').length, 3, `picks: ${picks.join(' ')}`);
  });

  it('carries no debt from an earlier busy spell: a kind that used much while alone is not held back when it returns', () => {
    const shares = new TimeShares<Kind>({ decode: 1, vision: 1 });
    // Vision works alone for a long time, then goes idle while decode runs a little.
    for (let i = 0; i < 50; i++) {
      shares.pick(['vision']);
      shares.charge('vision', 100);
    }
    for (let i = 0; i < 3; i++) {
      shares.pick(['decode']);
      shares.charge('decode', 10);
    }
    // New vision work arrives beside decode: it takes turns at once instead of waiting ~5 s of decode.
    const picks: Kind[] = [];
    for (let i = 0; i < 4; i++) {
      const kind = shares.pick(['decode', 'vision'])!;
      shares.charge(kind, 10);
      picks.push(kind);
    }
    assert.deepEqual(picks, ['decode', 'vision', 'decode', 'vision']);
  });

  it('breaks ties in the order the weights are listed', () => {
    assert.equal(new TimeShares<Kind>({ decode: 1, vision: 1 }).pick(['vision', 'decode']), 'decode');
  });

  it('rejects a weight that is not a positive number', () => {
    for (const weight of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new TimeShares<Kind>({ decode: weight, vision: 1 }), RangeError);
    }
  });
});

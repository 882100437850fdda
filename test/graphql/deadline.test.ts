/** A request past its deadline: the field fails with DEADLINE_EXCEEDED and its model work is dropped. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { patternPng } from '../helpers/images.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gateway: TestGateway;

before(async () => {
  // The unbiased model never says </s>, so a 1024-token caption outlasts a 1.5 s deadline.
  gateway = await startTestGateway({ REQUEST_TIMEOUT_MS: '1500' }, { bias: undefined });
});
after(() => gateway.stop());

test('the field is DEADLINE_EXCEEDED, the rest of the data stays, and the job leaves the engine', async () => {
  const image = (await patternPng(64, 64, 8)).toString('base64');
  const { status, body } = await gateway.graphql<{ image: { width: number; caption: null } }>(
    'query($b: String!) { image(base64: $b) { width caption(generation: { maxNewTokens: 1024 }) { text } } }',
    { b: image },
  );
  assert.equal(status, 200);
  assert.equal(body.data!.image.width, 64);
  assert.equal(body.data!.image.caption, null);
  assert.equal(body.errors?.length, 1);
  assert.equal(body.errors![0]!.extensions!.code, 'DEADLINE_EXCEEDED');
  assert.match(body.errors![0]!.message, /1500 ms deadline passed/);
  const stats = gateway.services.runner.stats() as { cancelled?: number; queued?: number };
  assert.equal(stats.cancelled, 1, 'the computation was cancelled, not left running');
  assert.equal(stats.queued, 0);
  // The server is free again: a small task still answers.
  const next = await gateway.graphql<{ image: { caption: { text: string } } }>(
    'query($b: String!) { image(base64: $b) { caption(generation: { maxNewTokens: 4 }) { text } } }',
    { b: image },
  );
  assert.equal(next.status, 200);
  assert.equal(next.body.errors, undefined, JSON.stringify(next.body.errors));
  assert.equal(typeof next.body.data?.image.caption.text, 'string');
  const done = gateway.services.runner.stats() as { cancelled?: number; queued?: number };
  assert.deepEqual([done.cancelled, done.queued], [1, 0], 'the small task ran to its end: nothing more was cancelled, nothing waits');
});

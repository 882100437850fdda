// In-process replay of the short-during-long probe with a trace of the scheduler's units.
import { Florence2 } from '../dist/src/vision/florence2.js';
import { Engine } from '../dist/src/engine/engine.js';
import { resultCacheKey } from '../dist/src/cache/cacheKey.js';
import { imageIdOf } from '../dist/src/images/imageId.js';
import { readImageInfo } from '../dist/src/vision/image.js';
import { benchImage } from '../dist/bench/workloads.js';

const dir = process.argv[2];
const stages = Number(process.argv[3] ?? 4);
const florence = await Florence2.load(dir, { visionStages: stages });
const trace = [];
let t0 = performance.now();
const engine = new Engine(florence, { modelFingerprint: 'f00dfeed', observer: { batch: () => {}, task: () => {}, stage: (stage, ms) => trace.push([Math.round(performance.now() - t0), stage, ms.toFixed(1)]) } });
async function handle(bytes) { const info = await readImageInfo(bytes); return { id: imageIdOf(bytes), width: info.width, height: info.height, bytes }; }
const a = await handle(await benchImage(101)); const b = await handle(await benchImage(102));
function job(image, task, input, tokens) {
  const plan = florence.plan(task, input, { minNewTokens: tokens, maxNewTokens: tokens });
  return { key: resultCacheKey({ modelFingerprint: 'f00dfeed', task, input: plan.prompt, options: { ...plan.options }, imageId: image.id }), image, plan };
}
const SHORT = ['<REGION_TO_CATEGORY>', '<loc_100><loc_100><loc_600><loc_700>', 20];
await engine.run([job(a, '<CAPTION>', undefined, 2)]); await engine.run([job(b, '<CAPTION>', undefined, 2)]);
for (let i = 0; i < 3; i++) { const s = performance.now(); await engine.run([job(a, ...SHORT)]); console.log('short alone', (performance.now() - s).toFixed(0)); }
trace.length = 0; t0 = performance.now();
let first; const firstEvent = new Promise((r) => (first = r));
const long = engine.stream(job(b, '<DETAILED_CAPTION>', undefined, 400), () => first());
await firstEvent;
const s = performance.now(); const sentAt = Math.round(s - t0);
await engine.run([job(a, ...SHORT)]);
console.log('short during long', (performance.now() - s).toFixed(0), 'sent at', sentAt);
await long;
const decodeSteps = trace.filter(([t, k]) => k === 'decode');
console.log(trace.filter(([t]) => t >= sentAt - 50 && t <= sentAt + 2000).map((e) => e.join(':')).join(' '));
await engine.close?.(); await florence.dispose(); process.exit(0);

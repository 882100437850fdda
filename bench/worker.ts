/**
 * One contender of the benchmark, in its own process so its peak RSS is its own:
 *   gateway          — the real gateway (engine, caches) on 127.0.0.1; the orchestrator is its HTTP client
 *   gateway-batch    — the same with SCHEDULER=batch (the batch-at-a-time engine), for workload 6 and the probes
 *   naive            — our runtime called one task at a time, no cache (`florence.run` per task)
 *   transformers.js  — @huggingface/transformers 4.3.1 on the same files, one task at a time
 * The orchestrator sends Commands over IPC; the worker answers with Replies.
 */
import { basename, dirname } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import { AutoProcessor, Florence2ForConditionalGeneration, RawImage, Tensor, env } from '@huggingface/transformers';
import { Engine } from '../src/engine/engine.js';
import type { GraphUsage } from '../src/engine/work.js';
import { loadConfig } from '../src/server/config.js';
import { startGateway, type Gateway } from '../src/server/gateway.js';
import { Florence2 } from '../src/vision/florence2.js';
import { parseGeneration } from '../src/vision/postprocess/index.js';
import { regionToLocTokens } from '../src/vision/regionInput.js';
import type { BoxesResult } from '../src/vision/results.js';
import type { Command, ContenderName, EventLoopDelay, Reply, WorkloadId } from './protocol.js';
import { CASCADE_REGIONS, FALLBACK_BOXES, FOUR_TASKS } from './workloads.js';

/** One task on one image, returning the decoded generation (special tokens kept). */
type RunTask = (image: Buffer, task: string, input: string | undefined, tokens: number) => Promise<string>;

interface Contender {
  readonly url?: string;
  run?: RunTask;
  /** Runs and busy time per ONNX graph since load; null where it cannot be measured. */
  graphUsage(): GraphUsage | null;
  stop(): Promise<void>;
}

const role = process.argv[2] as ContenderName;
let contender: Contender | undefined;

/** RSS sampled every 20 ms: the peak since the last usage reply (maxRSS cannot be reset). */
const RSS_SAMPLE_MS = 20;
let peakRss = process.memoryUsage.rss();
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), RSS_SAMPLE_MS).unref();

/**
 * The default period of monitorEventLoopDelay: fine enough for the 50 ms / 200 ms goals on /healthz,
 * and 100 wake-ups a second cost the gateway's request thread nothing measurable.
 */
const EVENT_LOOP_RESOLUTION_MS = 10;
const eventLoop = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
eventLoop.enable();

function eventLoopReply(reset: boolean): Reply {
  const late = (ns: number) => Math.max(0, ns / 1e6 - EVENT_LOOP_RESOLUTION_MS);
  const delay: EventLoopDelay = {
    samples: eventLoop.count,
    resolutionMs: EVENT_LOOP_RESOLUTION_MS,
    p50Ms: eventLoop.count ? late(eventLoop.percentile(50)) : 0,
    p99Ms: eventLoop.count ? late(eventLoop.percentile(99)) : 0,
    maxMs: eventLoop.count ? late(eventLoop.max) : 0,
    meanMs: eventLoop.count ? late(eventLoop.mean) : 0,
  };
  if (reset) eventLoop.reset();
  return { type: 'eventLoop', ...delay };
}

function usageReply(): Reply {
  const graphs = contender?.graphUsage() ?? null;
  const reply: Reply = {
    type: 'usage',
    ortBusyMs: graphs ? sumBusy(graphs) : null,
    graphs,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    peakRssBytes: Math.max(peakRss, process.memoryUsage.rss()),
  };
  peakRss = process.memoryUsage.rss();
  return reply;
}

process.on('message', (command: Command) => {
  handle(command).then(send, (error: unknown) =>
    send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});

function send(reply: Reply): void {
  process.send!(reply);
}

async function handle(command: Command): Promise<Reply> {
  switch (command.type) {
    case 'start': {
      const started = performance.now();
      contender = await start(role, command.modelDir, command.dtype);
      return { type: 'ready', loadMs: performance.now() - started, ...(contender.url ? { url: contender.url } : {}) };
    }
    case 'run': {
      const started = performance.now();
      const texts = await runWorkload(
        command.workload,
        command.images.map((image) => Buffer.from(image, 'base64')),
        command.tokens,
      );
      return { type: 'done', wallMs: performance.now() - started, texts };
    }
    case 'usage':
      return usageReply();
    case 'eventLoop':
      return eventLoopReply(command.reset);
    case 'stop':
      await contender?.stop();
      setImmediate(() => process.exit(0));
      return usageReply();
  }
}

/** Every contender loads the same files: fp32, or the `_quantized` (q8) files for all four graphs. */
type BenchDtype = 'fp32' | 'q8';

async function start(name: ContenderName, modelDir: string, dtype: BenchDtype): Promise<Contender> {
  if (name === 'gateway') return startGatewayContender(modelDir, dtype, 'continuous');
  if (name === 'gateway-batch') return startGatewayContender(modelDir, dtype, 'batch');
  if (name === 'naive') return startNaive(modelDir, dtype);
  return startTransformersJs(modelDir, dtype);
}

async function startGatewayContender(modelDir: string, dtype: BenchDtype, scheduler: 'continuous' | 'batch'): Promise<Contender> {
  const config = loadConfig(
    {
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      REQUEST_TIMEOUT_MS: '3600000',
      MAX_QUERY_COST: '100000000',
      REQUEST_BUDGET: '100000000',
      DTYPE: dtype,
      SCHEDULER: scheduler,
    },
    { model: modelDir },
  );
  const gateway: Gateway = await startGateway(config, { logger: pino({ level: 'silent' }) });
  const services = await gateway.loaded;
  const engine = services.runner instanceof Engine ? services.runner : undefined;
  return {
    url: gateway.url,
    graphUsage: () => (engine ? engine.modelUsage() : null),
    stop: () => gateway.stop(),
  };
}

async function startNaive(modelDir: string, dtype: BenchDtype): Promise<Contender> {
  const florence = await Florence2.load(modelDir, { dtype });
  return {
    run: async (image, task, input, tokens) =>
      (await florence.run(image, task, input, { maxNewTokens: tokens, minNewTokens: tokens })).text,
    graphUsage: () => florence.graphs.usage(),
    stop: () => florence.dispose(),
  };
}

/** The parts of transformers.js' Florence2Processor used here (its .d.ts types it as Processor). */
interface FlorenceProcessor {
  (image: RawImage, prompts: string[]): Promise<Record<string, Tensor>>;
  construct_prompts(task: string): string[];
  batch_decode(ids: Tensor, options: { skip_special_tokens: boolean }): string[];
}

async function startTransformersJs(modelDir: string, dtype: BenchDtype): Promise<Contender> {
  env.allowRemoteModels = false;
  env.localModelPath = `${dirname(modelDir)}/`;
  const id = basename(modelDir);
  const model = (await Florence2ForConditionalGeneration.from_pretrained(id, {
    dtype,
    local_files_only: true,
  })) as Florence2ForConditionalGeneration;
  const processor = (await AutoProcessor.from_pretrained(id, { local_files_only: true })) as unknown as FlorenceProcessor;
  return {
    // As a TypeScript user would: decode the image, build the prompt, generate, decode.
    run: async (image, task, input, tokens) => {
      const inputs = await processor(await RawImage.fromBlob(new Blob([image])), processor.construct_prompts(task + (input ?? '')));
      const ids = (await model.generate({
        ...inputs,
        max_new_tokens: tokens,
        min_new_tokens: tokens,
        num_beams: 1,
        do_sample: false,
      })) as Tensor;
      return processor.batch_decode(ids, { skip_special_tokens: false })[0]!;
    },
    graphUsage: () => null,
    stop: async () => {
      await model.dispose();
    },
  };
}

/** The workloads, one task at a time (the gateway contender is driven over HTTP instead). */
async function runWorkload(workload: WorkloadId, images: Buffer[], tokens: number): Promise<string[]> {
  const run = contender?.run;
  if (!run) throw new Error(`${role} does not run workloads in-process`);
  const texts: string[] = [];
  const task = async (image: Buffer, name: string, input?: string) => {
    const text = await run(image, name, input, tokens);
    texts.push(text);
    return text;
  };
  switch (workload) {
    case 'cascade': {
      const image = images[0]!;
      const caption = parseGeneration('<CAPTION>', await task(image, '<CAPTION>'), { width: 768, height: 768 });
      const grounded = parseGeneration('<CAPTION_TO_PHRASE_GROUNDING>', await task(image, '<CAPTION_TO_PHRASE_GROUNDING>', caption), {
        width: 768,
        height: 768,
      }) as BoxesResult;
      for (const box of cascadeBoxes(grounded)) await task(image, '<REGION_TO_SEGMENTATION>', box);
      return texts;
    }
    case 'fourTasks':
      for (const name of FOUR_TASKS) await task(images[0]!, name);
      return texts;
    case 'throughput':
    case 'cold':
      for (const image of images) await task(image, '<CAPTION>');
      return texts;
  }
}

/** The region prompts of the cascade: the grounding's boxes (distinct, corners ordered), topped up to 8. */
export function cascadeBoxes(grounded: BoxesResult): string[] {
  const size = { width: 768, height: 768 };
  const prompts = grounded.bboxes.map(([x1 = 0, y1 = 0, x2 = 0, y2 = 0]) =>
    regionToLocTokens({ x1: Math.min(x1, x2), y1: Math.min(y1, y2), x2: Math.max(x1, x2), y2: Math.max(y1, y2) }, size),
  );
  const distinct = [...new Set(prompts)];
  for (const [x1, y1, x2, y2] of FALLBACK_BOXES) {
    if (distinct.length >= CASCADE_REGIONS) break;
    distinct.push(regionToLocTokens({ x1, y1, x2, y2 }, size));
  }
  return distinct.slice(0, CASCADE_REGIONS);
}

function sumBusy(usage: Record<string, { busyMs: number }>): number {
  return Object.values(usage).reduce((total, graph) => total + graph.busyMs, 0);
}

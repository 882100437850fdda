/**
 * The text worker: the scheduler (src/engine/scheduler.ts) with the text graphs — the prompt
 * encoder and the decode loop — and the feature cache. The request thread sends it work and
 * cancellations; it answers with the scheduler's events. Images without cached features go to the
 * vision worker over their own channel.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Florence2 } from '../../vision/florence2.js';
import { Scheduler } from '../scheduler.js';
import type { VisionLane, VisionOutcome } from '../visionLane.js';
import type { SchedulerEvents } from '../work.js';
import {
  deserializeError,
  isSerializedError,
  serializeError,
  transferable,
  type ModelLoadSettings,
  type SchedulerEventMessage,
  type TextWorkerCommand,
  type VisionReply,
  type WorkerReport,
} from './protocol.js';

export interface TextWorkerData {
  readonly settings: ModelLoadSettings;
  readonly visionPort: MessagePort;
}

const { settings, visionPort } = workerData as TextWorkerData;
const report = (message: WorkerReport) => parentPort!.postMessage(message);

let florence: Florence2;
try {
  florence = await Florence2.load(settings.modelDir, {
    graphs: 'text',
    ...(settings.dtype ? { dtype: settings.dtype } : {}),
    ...(settings.threads ? { threads: settings.threads } : {}),
    ...(settings.device ? { device: settings.device } : {}),
    ...(settings.imageLimits ? { imageLimits: settings.imageLimits } : {}),
  });
} catch (error) {
  report({ type: 'failed', error: serializeError(error) });
  process.exit(1);
}

/** The vision worker behind the VisionLane interface: one request at a time, answered in order. */
function remoteVisionLane(port: MessagePort): VisionLane {
  const pending = new Map<number, (reply: VisionReply) => void>();
  let nextRequest = 1;
  let usage = { runs: 0, busyMs: 0 };
  port.on('message', (reply: VisionReply) => {
    usage = reply.usage;
    pending.get(reply.request)?.(reply);
    pending.delete(reply.request);
  });
  return {
    encode(images) {
      const request = nextRequest++;
      const handed = images.map((image) => ({ id: image.id, ...transferable(image.bytes) }));
      return new Promise<VisionOutcome>((resolve) => {
        pending.set(request, (reply) =>
          resolve({
            features: reply.features.map((value) => (isSerializedError(value) ? deserializeError(value) : value)),
            preprocessMs: reply.preprocessMs,
            visionMs: reply.visionMs,
          }),
        );
        port.postMessage(
          { type: 'encode', request, images: handed.map(({ id, bytes }) => ({ id, bytes })) },
          handed.map(({ buffer }) => buffer),
        );
      });
    },
    usage: () => usage,
  };
}

const vision = remoteVisionLane(visionPort);
const post = (message: SchedulerEventMessage) => parentPort!.postMessage(message);
let scheduler: Scheduler | undefined;

const events: SchedulerEvents = {
  started: (id) => post({ type: 'started', id }),
  progress: (id, progress) => post({ type: 'progress', id, progress }),
  settled: (id, outcome) => {
    const snapshot = scheduler!.snapshot();
    post(outcome instanceof Error ? { type: 'settled', id, error: serializeError(outcome), snapshot } : { type: 'settled', id, result: outcome, snapshot });
  },
  batch: (jobs, images) => post({ type: 'batch', jobs, images }),
  imagesEncoded: (count) => post({ type: 'imagesEncoded', count }),
  stage: (stage, ms) => post({ type: 'stage', stage, ms }),
  // Snapshots travel with each settled outcome: stats read after a result then include its work,
  // and nothing changes them between two results.
  snapshot: () => undefined,
};

parentPort!.on('message', (command: TextWorkerCommand) => {
  try {
    handle(command);
  } catch (error) {
    // The scheduler settles its own failures; anything escaping it must not take the worker down.
    console.error('florence text worker: a command failed', error);
  }
});

function handle(command: TextWorkerCommand): void {
  switch (command.type) {
    case 'connect':
      scheduler = new Scheduler(florence, vision, command.options, events);
      return;
    case 'submit':
      scheduler?.submit(command.images, command.items);
      return;
    case 'cancel':
      scheduler?.cancel(command.id, deserializeError(command.reason));
      return;
    case 'stream':
      scheduler?.stream(command.id);
      return;
    case 'close':
      void (async () => {
        await scheduler?.close(deserializeError(command.reason));
        visionPort.close();
        await florence.dispose();
        report({ type: 'closed' });
        parentPort!.close();
      })();
      return;
  }
}

report({ type: 'ready', device: florence.device, ...(florence.deviceFallback ? { deviceFallback: florence.deviceFallback } : {}) });

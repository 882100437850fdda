/**
 * The model worker: the scheduler (src/engine/scheduler.ts) with every graph of the model and the
 * feature cache, on one thread, so onnxruntime's synchronous runs never hold up the request thread.
 * The request thread sends work and cancellations; the worker answers with the scheduler's events.
 * Image bytes go to the preprocessing worker over their own channel and come back as pixels.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { PreparedImage } from '../../vision/image.js';
import { Florence2 } from '../../vision/florence2.js';
import type { ImagePreparer } from '../imagePreparer.js';
import { Scheduler } from '../scheduler.js';
import type { SchedulerEvents } from '../work.js';
import {
  deserializeError,
  serializeError,
  transferable,
  type ModelLoadSettings,
  type ModelWorkerCommand,
  type PrepareReply,
  type PrepareRequest,
  type SchedulerEventMessage,
  type WorkerReport,
} from './protocol.js';

export interface ModelWorkerData {
  readonly settings: ModelLoadSettings;
  readonly preprocessPort: MessagePort;
}

const { settings, preprocessPort } = workerData as ModelWorkerData;
const report = (message: WorkerReport) => parentPort!.postMessage(message);

let florence: Florence2;
try {
  florence = await Florence2.load(settings.modelDir, {
    ...(settings.dtype ? { dtype: settings.dtype } : {}),
    ...(settings.threads ? { threads: settings.threads } : {}),
    ...(settings.device ? { device: settings.device } : {}),
    ...(settings.imageLimits ? { imageLimits: settings.imageLimits } : {}),
    ...(settings.visionStages ? { visionStages: settings.visionStages } : {}),
  });
  // Before the gateway reports ready: the first passes through the vision encoder are the slow ones.
  await florence.graphs.vision.warmUp();
} catch (error) {
  report({ type: 'failed', error: serializeError(error) });
  process.exit(1);
}

/** The preprocessing worker behind the ImagePreparer interface; the bytes are handed over, not copied. */
function remotePreparer(port: MessagePort): ImagePreparer {
  const pending = new Map<number, (reply: PrepareReply) => void>();
  let nextRequest = 1;
  port.on('message', (reply: PrepareReply) => {
    pending.get(reply.request)?.(reply);
    pending.delete(reply.request);
  });
  return {
    prepare(bytes) {
      const request = nextRequest++;
      const handed = transferable(bytes);
      return new Promise<PreparedImage>((resolve, reject) => {
        pending.set(request, (reply) =>
          reply.image
            ? resolve(reply.image)
            : reject(deserializeError(reply.error ?? { name: 'Error', message: 'preprocessing gave no image' })),
        );
        port.postMessage({ type: 'prepare', request, bytes: handed.bytes } satisfies PrepareRequest, [handed.buffer]);
      });
    },
  };
}

const post = (message: SchedulerEventMessage) => parentPort!.postMessage(message);
let scheduler: Scheduler | undefined;

const events: SchedulerEvents = {
  started: (id) => post({ type: 'started', id }),
  progress: (id, progress) => post({ type: 'progress', id, progress }),
  settled: (id, outcome) => {
    const snapshot = scheduler!.snapshot();
    post(
      outcome instanceof Error
        ? { type: 'settled', id, error: serializeError(outcome), snapshot }
        : { type: 'settled', id, result: outcome, snapshot },
    );
  },
  batch: (jobs, images) => post({ type: 'batch', jobs, images }),
  imagesEncoded: (count) => post({ type: 'imagesEncoded', count }),
  stage: (stage, ms) => post({ type: 'stage', stage, ms }),
  // Snapshots travel with each settled outcome: stats read after a result then include its work,
  // and nothing changes them between two results.
  snapshot: () => undefined,
};

parentPort!.on('message', (command: ModelWorkerCommand) => {
  try {
    handle(command);
  } catch (error) {
    // The scheduler settles its own failures; anything escaping it must not take the worker down.
    console.error('florence model worker: a command failed', error);
  }
});

function handle(command: ModelWorkerCommand): void {
  switch (command.type) {
    case 'connect':
      scheduler = new Scheduler(florence, remotePreparer(preprocessPort), command.options, events);
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
        preprocessPort.close();
        await florence.dispose();
        report({ type: 'closed' });
        parentPort!.close();
      })();
      return;
  }
}

report({ type: 'ready', device: florence.device, ...(florence.deviceFallback ? { deviceFallback: florence.deviceFallback } : {}) });

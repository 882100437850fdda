/**
 * The preprocessing worker: image bytes to vision-encoder input (sharp decoding, Pillow's bicubic
 * resize, normalisation) on a thread of its own at a lower OS priority. The resize is JavaScript
 * (~0.5 s for a 12-megapixel photo), so here it never delays a decode step or a request; the model
 * worker asks for an image or two ahead of its vision encoder.
 *
 * Started by ModelWorkers (modelWorkers.ts) with a MessagePort to the model worker.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { prepareImage, type ImageLimits } from '../../vision/image.js';
import { serializeError, type PrepareReply, type PrepareRequest, type WorkerReport } from './protocol.js';

export interface PreprocessWorkerData {
  readonly imageLimits: ImageLimits;
  /** Nice value added to this thread (Linux applies it per thread). */
  readonly niceness: number;
  readonly port: MessagePort;
}

const { imageLimits, niceness, port } = workerData as PreprocessWorkerData;

if (niceness > 0) {
  try {
    setPriority(niceness);
  } catch {
    // A priority is an optimisation: without one, preprocessing still runs, only contending.
  }
}

port.on('message', (request: PrepareRequest) => {
  void prepareImage(request.bytes, imageLimits).then(
    (image) => {
      const reply: PrepareReply = { type: 'prepared', request: request.request, image };
      port.postMessage(reply, [image.pixelValues.buffer as ArrayBuffer]);
    },
    (error: unknown) => {
      const reply: PrepareReply = { type: 'prepared', request: request.request, error: serializeError(error) };
      port.postMessage(reply);
    },
  );
});

parentPort!.on('message', (command: { type: 'close' }) => {
  if (command.type !== 'close') return;
  port.close();
  parentPort!.postMessage({ type: 'closed' } satisfies WorkerReport);
  parentPort!.close();
});

parentPort!.postMessage({ type: 'ready', device: 'cpu' } satisfies WorkerReport);

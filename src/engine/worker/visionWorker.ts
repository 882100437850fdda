/**
 * The vision worker: image preprocessing and the vision encoder, on a thread of its own at a lower
 * OS priority. The vision encoder is the one unit that takes seconds (~2.5 s per image on 2
 * cores); here it uses whatever CPU the decode loop and HTTP leave, and the kernel hands the cores
 * back to them whenever they have work, so no decode step and no request waits for it.
 *
 * Started by ModelWorkers (modelWorkers.ts) with a MessagePort to the text worker, which sends it
 * images on a feature-cache miss.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { prepareImage } from '../../vision/image.js';
import { openModelFolder } from '../../vision/modelFiles.js';
import { VisionEncoder } from '../../vision/visionEncoder.js';
import { encodeWith } from '../visionLane.js';
import { serializeError, type ModelLoadSettings, type VisionReply, type VisionRequest, type WorkerReport } from './protocol.js';

export interface VisionWorkerData {
  readonly settings: ModelLoadSettings;
  /** Nice value added to this thread (and the onnxruntime threads it creates). */
  readonly niceness: number;
  readonly port: MessagePort;
}

const { settings, niceness, port } = workerData as VisionWorkerData;
const report = (message: WorkerReport) => parentPort!.postMessage(message);

// Before the session exists: onnxruntime's pool threads are created with the session and inherit it.
// Linux applies nice per thread; elsewhere this may affect the process or fail (then it is skipped).
if (niceness > 0) {
  try {
    setPriority(niceness);
  } catch {
    // Priorities are an optimisation: without one the vision encoder still runs, only contending.
  }
}

let encoder: VisionEncoder;
let deviceFallback: string | undefined;
const wanted = settings.device ?? 'cpu';
try {
  const folder = openModelFolder(settings.modelDir, settings.dtype);
  const load = (device: typeof wanted) => VisionEncoder.load(folder.onnx.vision_encoder, { device, ...(settings.threads ? { threads: settings.threads } : {}) });
  try {
    encoder = await load(wanted);
  } catch (error) {
    if (wanted === 'cpu') throw error;
    deviceFallback = `${wanted} could not start for the vision encoder (${(error as Error).message.split('\n')[0]}); running it on cpu`;
    encoder = await load('cpu');
  }
} catch (error) {
  report({ type: 'failed', error: serializeError(error) });
  process.exit(1);
}

port.on('message', (request: VisionRequest) => {
  void encodeWith(
    (bytes) => prepareImage(bytes, settings.imageLimits ?? {}),
    (images) => encoder.encodeImages(images),
    request.images,
  ).then(
    (outcome) => {
      const features = outcome.features.map((value) => (value instanceof Error ? serializeError(value) : value));
      const reply: VisionReply = { type: 'encoded', request: request.request, features, preprocessMs: outcome.preprocessMs, visionMs: outcome.visionMs, usage: { ...encoder.usage } };
      postFeatures(reply);
    },
    (error: unknown) => {
      const failure = serializeError(error);
      const reply: VisionReply = { type: 'encoded', request: request.request, features: request.images.map(() => failure), preprocessMs: 0, visionMs: 0, usage: { ...encoder.usage } };
      port.postMessage(reply);
    },
  );
});

parentPort!.on('message', (command: { type: 'close' }) => {
  if (command.type !== 'close') return;
  port.close();
  void encoder.release().finally(() => {
    report({ type: 'closed' });
    parentPort!.close();
  });
});

/** Hands the feature buffers over without a copy where the runtime allows it (1.8 MB an image). */
function postFeatures(reply: VisionReply): void {
  const buffers = reply.features.flatMap((value) => (value instanceof Float32Array ? [value.buffer as ArrayBuffer] : []));
  try {
    port.postMessage(reply, buffers);
  } catch {
    port.postMessage(reply); // a buffer onnxruntime owns cannot be transferred: copied instead
  }
}

report({ type: 'ready', device: deviceFallback ? 'cpu' : wanted, ...(deviceFallback ? { deviceFallback } : {}) });

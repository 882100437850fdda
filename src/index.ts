/**
 * florence-gateway as a library: the Florence-2 runtime (load a model folder, run tasks), prompt
 * construction and post-processing in gateway semantics, and the gateway server itself.
 */
export { Florence2, type LoadOptions, type RunRequest, type RunResult, type TaskPlan, type GenerationItem } from './vision/florence2.js';
export type { GenerationOptions } from './vision/generation/settings.js';
export { constructPrompt, promptFromText } from './vision/prompt.js';
export { parseGeneration, parseByType, type ImageSize } from './vision/postprocess/index.js';
export { regionToLocTokens, parseRegionLocTokens, type PixelBox } from './vision/regionInput.js';
export { TASKS, TASK_TOKENS, isTaskToken, type TaskToken, type TaskSpec, type ParseType, type ResultForTask } from './vision/tasks.js';
export type { BoxesResult, OcrResult, PolygonsResult, OpenVocabularyResult, TaskResult } from './vision/results.js';
export { Florence2Tokenizer } from './vision/tokenizer.js';
export { prepareImage, readImageInfo, type PreparedImage, type ImageInfo, type ImageSource } from './vision/image.js';
export { DTYPE_SUFFIXES, type ModelDtype, type DtypeOption } from './vision/modelFiles.js';
export { CodedError } from './shared/errors.js';
export {
  FlorenceError,
  UnknownTaskError,
  TaskInputError,
  ImageDecodeError,
  ImageTooLargeError,
  ModelFilesError,
  ModelRunError,
  DisposedError,
  type FlorenceErrorCode,
} from './vision/errors.js';
export { drawResult } from './images/overlay.js';
export { Engine, type EngineOptions } from './engine/engine.js';
export { startGateway, type Gateway } from './server/gateway.js';
export { loadConfig, type GatewayConfig } from './server/config.js';

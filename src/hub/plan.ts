/**
 * Which files of an onnx-community Florence-2 repository a pull fetches (INTERFACE.md §2): the
 * top-level JSON files a model folder needs and the four ONNX graphs for the chosen dtype(s).
 * Other variants and the slow-tokenizer files stay on the hub.
 */
import {
  DTYPE_SUFFIXES,
  MODEL_MODULES,
  isModelDtype,
  type DtypeOption,
  type ModelDtype,
  type ModelModule,
  resolveDtypes,
} from '../vision/modelFiles.js';
import { HubError } from './errors.js';
import type { RemoteFile, RepoListing } from './listing.js';

/** Files every Florence-2 export has and a folder is expected to hold. */
export const REQUIRED_JSON_FILES = [
  'config.json',
  'generation_config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
] as const;
/** Fetched when the repository has them (not every export does). */
export const OPTIONAL_JSON_FILES = ['special_tokens_map.json', 'processor_config.json'] as const;

export type DtypeMap = Readonly<Record<ModelModule, ModelDtype>>;

export function onnxPath(module: ModelModule, dtype: ModelDtype): string {
  return `onnx/${module}${DTYPE_SUFFIXES[dtype]}.onnx`;
}

/** The paths a folder needs for these dtypes, required first, in a stable order. */
export function requiredPaths(dtypes: DtypeMap): string[] {
  return [...REQUIRED_JSON_FILES, ...MODEL_MODULES.map((module) => onnxPath(module, dtypes[module]))];
}

/** Every path a pull might want: what the HEAD fallback probes when there is no tree API. */
export function candidatePaths(): string[] {
  const dtypes = Object.keys(DTYPE_SUFFIXES) as ModelDtype[];
  return [
    ...REQUIRED_JSON_FILES,
    ...OPTIONAL_JSON_FILES,
    ...dtypes.flatMap((dtype) => MODEL_MODULES.map((module) => onnxPath(module, dtype))),
  ];
}

/** Dtypes for which the listing holds all four graphs. */
export function availableDtypes(has: (path: string) => boolean): ModelDtype[] {
  return (Object.keys(DTYPE_SUFFIXES) as ModelDtype[]).filter((dtype) => MODEL_MODULES.every((module) => has(onnxPath(module, dtype))));
}

/** The files to fetch, or an error naming what the repository lacks (and, for graphs, the dtypes it has). */
export function selectFiles(listing: RepoListing, dtypes: DtypeMap, repoLabel: string): RemoteFile[] {
  const has = (path: string): boolean => listing.files.has(path);
  const missingJson = REQUIRED_JSON_FILES.filter((path) => !has(path));
  if (missingJson.length === REQUIRED_JSON_FILES.length) {
    throw new HubError(
      'not-found',
      `${repoLabel} has none of ${REQUIRED_JSON_FILES.join(', ')}: is it a Florence-2 repository, and does the revision exist?`,
    );
  }
  if (missingJson.length > 0)
    throw new HubError('not-found', `${repoLabel} lacks ${missingJson.join(', ')}, which a Florence-2 model folder needs`);
  const missingGraphs = MODEL_MODULES.filter((module) => !has(onnxPath(module, dtypes[module])));
  if (missingGraphs.length > 0) {
    const wanted = missingGraphs.map((module) => onnxPath(module, dtypes[module])).join(', ');
    const available = availableDtypes(has);
    const offer =
      available.length > 0 ? `it has the dtypes ${available.join(', ')}` : 'it has no complete set of the four graphs in any dtype';
    throw new HubError('dtype', `${repoLabel} has no ${describeDtypes(dtypes)} files (missing ${wanted}); ${offer}`);
  }
  const paths = [
    ...REQUIRED_JSON_FILES,
    ...OPTIONAL_JSON_FILES.filter(has),
    ...MODEL_MODULES.map((module) => onnxPath(module, dtypes[module])),
  ];
  return paths.map((path) => listing.files.get(path) as RemoteFile);
}

/**
 * `q8`, or a per-module map `vision_encoder=fp16,decoder_model_merged=q8`, optionally with a bare
 * dtype for the modules not named (`fp16,decoder_model_merged=q8`; otherwise they are fp32).
 */
export function parseDtypeSpec(spec: string): DtypeMap {
  const items = spec
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length === 0) throw new HubError('usage', 'empty --dtype');
  let fallback: ModelDtype = 'fp32';
  const perModule: Partial<Record<ModelModule, ModelDtype>> = {};
  const known = Object.keys(DTYPE_SUFFIXES).join(', ');
  for (const item of items) {
    const [key, value, extra] = item.split('=').map((part) => part.trim());
    if (value === undefined) {
      if (!key || !isModelDtype(key))
        throw new HubError('usage', `unknown dtype ${JSON.stringify(key)} in --dtype; expected one of ${known}`);
      fallback = key;
      continue;
    }
    if (extra !== undefined || !key || !(MODEL_MODULES as readonly string[]).includes(key)) {
      throw new HubError(
        'usage',
        `bad --dtype item ${JSON.stringify(item)}: expected DTYPE or MODULE=DTYPE with MODULE one of ${MODEL_MODULES.join(', ')}`,
      );
    }
    if (!isModelDtype(value)) throw new HubError('usage', `unknown dtype ${JSON.stringify(value)} for ${key}; expected one of ${known}`);
    perModule[key as ModelModule] = value;
  }
  return toDtypeMap(
    Object.fromEntries(MODEL_MODULES.map((module) => [module, perModule[module] ?? fallback])) as Record<ModelModule, ModelDtype>,
  );
}

/** A dtype option (one dtype or a partial map) as a full per-module map. */
export function toDtypeMap(option: DtypeOption): DtypeMap {
  try {
    return resolveDtypes(option);
  } catch (error) {
    throw new HubError('usage', (error as Error).message, { cause: error });
  }
}

/** `q8` when uniform, else `vision_encoder=fp16,…`. */
export function describeDtypes(dtypes: DtypeMap): string {
  const first = dtypes[MODEL_MODULES[0]];
  if (MODEL_MODULES.every((module) => dtypes[module] === first)) return first;
  return MODEL_MODULES.map((module) => `${module}=${dtypes[module]}`).join(',');
}

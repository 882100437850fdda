/**
 * The one place that builds cache keys (DESIGN.md §4):
 *
 *   `<model fingerprint>:<task>:<hash of input text>:<hash of generation options>:<image id>`
 *
 * The fingerprint makes a new model miss every old answer; the task stays readable for operators;
 * user text and options appear only as hashes (no raw user text in Redis, bounded key length); the
 * image id is already a content hash. Hashes are sha256 over canonical JSON (object keys sorted,
 * undefined properties dropped), so `{a, b}` and `{b, a}` give the same key.
 *
 * Callers pass the input and options as the engine will use them (trimmed input, options with
 * server defaults filled in): equal work then shares one key, and differing work never does.
 */
import { createHash } from 'node:crypto';
import { CacheKeyError } from './errors.js';

export interface ResultKeyParts {
  /** From `modelFingerprint(modelDir)`, optionally with the dtype folded in. */
  readonly modelFingerprint: string;
  /** A task token such as `<OD>` or `OD` (angle brackets are dropped). */
  readonly task: string;
  /** The task's text or region input; undefined for tasks that take none (distinct from ''). */
  readonly input?: string | undefined;
  /** Generation options (beams, max new tokens, …): plain JSON data. */
  readonly options?: Readonly<Record<string, unknown>> | undefined;
  /** The image's id, `sha256:<hex>` of its bytes. */
  readonly imageId: string;
}

/**
 * Hex digits kept of each sha256. 128 bits stay collision-free even against someone choosing inputs
 * to collide on purpose (a birthday search needs ~2^64 hashes), which 64 bits would not.
 */
export const KEY_HASH_HEX_LENGTH = 32;

const FINGERPRINT_PATTERN = /^[0-9a-f]{8,64}$/;
const TASK_PATTERN = /^[A-Z0-9_]{1,64}$/;
/** `<algorithm>:<hex digest>`, e.g. `sha256:…`; strict because client-supplied ids reach uploadKey. */
const IMAGE_ID_PATTERN = /^[a-z0-9]{1,16}:[0-9a-f]{16,128}$/;
/** Nesting deeper than this is not generation options but a mistake (or a cycle). */
const MAX_OPTIONS_DEPTH = 16;

/** The results-cache key of one task run. Throws CacheKeyError for parts that cannot make a sound key. */
export function resultCacheKey(parts: ResultKeyParts): string {
  const fingerprint = checkFingerprint(parts.modelFingerprint);
  const task = checkTask(parts.task);
  const imageId = checkImageId(parts.imageId);
  if (parts.input !== undefined && typeof parts.input !== 'string') {
    throw new CacheKeyError(`input must be a string or undefined; got ${typeof parts.input}`);
  }
  const inputHash = shortHash(canonicalJson(parts.input ?? null));
  const optionsHash = shortHash(canonicalJson(parts.options ?? {}));
  return `${fingerprint}:${task}:${inputHash}:${optionsHash}:${imageId}`;
}

/** Key of an uploaded image's bytes (`POST /images`). */
export function uploadKey(imageId: string): string {
  return `upload:${checkImageId(imageId)}`;
}

/** Key of an image's vision features spilled to the store; tied to the model that computed them. */
export function featureKey(modelFingerprint: string, imageId: string): string {
  return `features:${checkFingerprint(modelFingerprint)}:${checkImageId(imageId)}`;
}

/** Digests already taken, per variables object: one request's plugins share one hash of its variables. */
const variablesDigests = new WeakMap<object, string | null>();

/**
 * sha256 (base64url) of the canonical JSON of an operation's variables, or undefined when they have
 * no canonical form. Keys stay short however big the variables are (a base64 image is megabytes), and
 * the work is done once per request: the result is remembered for the variables object itself.
 */
export function variablesDigest(variables: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (variables === undefined) return variablesDigest(EMPTY_VARIABLES);
  const known = variablesDigests.get(variables);
  if (known !== undefined) return known ?? undefined;
  let digest: string | null;
  try {
    digest = createHash('sha256').update(canonicalJson(variables), 'utf8').digest('base64url');
  } catch (error) {
    if (!(error instanceof CacheKeyError)) throw error;
    digest = null;
  }
  variablesDigests.set(variables, digest);
  return digest ?? undefined;
}

const EMPTY_VARIABLES: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * JSON with object keys sorted and undefined-valued properties dropped, so equal data has one
 * spelling. Refuses what JSON would silently change (NaN, Infinity, bigint, functions, class
 * instances such as Date or Map): two different option sets must never share a hash.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

function encode(value: unknown, depth: number): string {
  if (depth > MAX_OPTIONS_DEPTH) throw new CacheKeyError(`key data nests deeper than ${MAX_OPTIONS_DEPTH} levels (or is cyclic)`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CacheKeyError(`key data must hold finite numbers; got ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => encode(item ?? null, depth + 1)).join(',')}]`;
  if (typeof value === 'object' && isPlainObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${encode((value as Record<string, unknown>)[key], depth + 1)}`);
    return `{${entries.join(',')}}`;
  }
  const kind = typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
  throw new CacheKeyError(`key data must be plain JSON (objects, arrays, strings, finite numbers, booleans, null); got ${kind}`);
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, KEY_HASH_HEX_LENGTH);
}

function checkFingerprint(fingerprint: string): string {
  if (typeof fingerprint !== 'string' || !FINGERPRINT_PATTERN.test(fingerprint)) {
    throw new CacheKeyError(`model fingerprint must be 8–64 lowercase hex digits (from modelFingerprint()); got ${describe(fingerprint)}`);
  }
  return fingerprint;
}

function checkTask(task: string): string {
  const token = typeof task === 'string' ? task.replace(/^<(.*)>$/, '$1') : '';
  if (!TASK_PATTERN.test(token)) {
    throw new CacheKeyError(`task must be a task token such as <OD> or CAPTION (capitals, digits, _); got ${describe(task)}`);
  }
  return token;
}

function checkImageId(imageId: string): string {
  if (typeof imageId !== 'string' || !IMAGE_ID_PATTERN.test(imageId)) {
    throw new CacheKeyError(`image id must look like sha256:<lowercase hex>; got ${describe(imageId)}`);
  }
  return imageId;
}

/** A short, printable echo of a bad value for error messages. */
function describe(value: unknown): string {
  if (typeof value !== 'string') return typeof value;
  return value.length > 80 ? `${JSON.stringify(value.slice(0, 80))}… (${value.length} characters)` : JSON.stringify(value);
}

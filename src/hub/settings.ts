/**
 * Hub settings from the environment, with the variable names and meanings of huggingface_hub so a
 * machine configured for the Python tools behaves the same here.
 */
import { HubError } from './errors.js';

/** Where models are downloaded from when HF_ENDPOINT is unset. */
export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';
/** The branch a pull follows when no --revision is given (the hub's default branch). */
export const DEFAULT_REVISION = 'main';

export interface HubSettings {
  /** Base URL without a trailing slash. */
  readonly endpoint: string;
  /** Bearer token; never printed. */
  readonly token: string | undefined;
  /** HF_HUB_OFFLINE: use only what is cached, make no request. */
  readonly offline: boolean;
}

/** huggingface_hub's truthy spellings for boolean variables. */
const TRUE_VALUES = new Set(['1', 'on', 'yes', 'true']);

export function isTruthyEnv(value: string | undefined): boolean {
  return value !== undefined && TRUE_VALUES.has(value.trim().toLowerCase());
}

export function hubSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): HubSettings {
  const endpoint = normalizeEndpoint(env['HF_ENDPOINT']?.trim() || DEFAULT_HF_ENDPOINT);
  // HUGGING_FACE_HUB_TOKEN is the older name huggingface_hub still honours.
  const token = env['HF_TOKEN']?.trim() || env['HUGGING_FACE_HUB_TOKEN']?.trim() || undefined;
  return { endpoint, token, offline: isTruthyEnv(env['HF_HUB_OFFLINE']) };
}

/** Validates an endpoint URL (http or https) and drops trailing slashes. */
export function normalizeEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new HubError('usage', `HF_ENDPOINT must be an http(s) URL; got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HubError('usage', `HF_ENDPOINT must be an http(s) URL; got ${JSON.stringify(value)}`);
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Where a pull puts a model when no folder is named, and which model that is. Both belong to the
 * hub client: `model pull`, `serve`'s first start and `run` must agree on them, and they all
 * reach them through here.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The checkpoint served when none is named: base-size, fine-tuned on the task mixture. */
export const DEFAULT_MODEL_REPO = 'onnx-community/Florence-2-base-ft';

/** `$XDG_CACHE_HOME/florence-gateway/models` (default `~/.cache/…`): where pulled models live. */
export function modelCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME']?.trim() || join(homedir(), '.cache');
  return join(base, 'florence-gateway', 'models');
}

/** The folder a pulled copy of `repo` lives in. */
export function cachedModelDir(repo: string = DEFAULT_MODEL_REPO, env: NodeJS.ProcessEnv = process.env): string {
  return join(modelCacheRoot(env), ...repo.split('/'));
}

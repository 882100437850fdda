/**
 * Where the model folder comes from: `--model`, else `MODEL_DIR`, else the default model in the
 * user's cache folder. Without any, one paragraph tells the user how to get a model (real or
 * synthetic) instead of a stack trace.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODEL_REPO, cachedModelDir } from '../hub/modelCache.js';

export function noModelHelp(env: NodeJS.ProcessEnv = process.env): string {
  return `No Florence-2 model folder was found: --model and MODEL_DIR are unset, and ${cachedModelDir(DEFAULT_MODEL_REPO, env)}
holds no complete copy of ${DEFAULT_MODEL_REPO} (the Hugging Face hub could not be reached, or HF_HUB_OFFLINE=1).
Download it where there is a network with \`florence-gateway model pull\` (HF_ENDPOINT and HF_TOKEN are honoured),
or point --model (or MODEL_DIR) at an onnx-community Florence-2 export (config.json, tokenizer.json and
onnx/*.onnx). To try the API at once, serve a synthetic model of random weights (meaningless answers, real behaviour):
  npm run demo
  (or: florence-gateway model synth --size tiny --bias --out ./models/synthetic-tiny && MODEL_DIR=./models/synthetic-tiny npm start)`;
}

/** `--model`, `MODEL_DIR`, or the cached default when it exists; otherwise prints the help and returns undefined. */
export function resolveModelDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = flag ?? (env['MODEL_DIR']?.trim() || undefined);
  if (given) return given;
  const cached = cachedModelDir(DEFAULT_MODEL_REPO, env);
  if (existsSync(join(cached, 'config.json'))) return cached;
  console.error(noModelHelp(env));
  return undefined;
}

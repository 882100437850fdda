/**
 * `florence-gateway model pull [REPO] [--dtype D] [--revision REV] [--out DIR]`: downloads an
 * onnx-community Florence-2 export into the user's cache folder (or --out), with progress on
 * stderr and the folder's path on stdout (so `MODEL_DIR=$(florence-gateway model pull)` works).
 *
 * Also `ensureDefaultModel`, which `serve` calls when no model folder is configured.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HubError } from '../hub/errors.js';
import type { FetchLike } from '../hub/http.js';
import { MANIFEST_NAME } from '../hub/manifest.js';
import { DEFAULT_MODEL_REPO, cachedModelDir } from '../hub/modelCache.js';
import { describeDtypes, parseDtypeSpec, toDtypeMap, type DtypeMap } from '../hub/plan.js';
import { createProgressReporter, type ProgressStream, type PullProgress } from '../hub/progress.js';
import { checkCachedModel, pullModel } from '../hub/pull.js';
import type { RetryOptions } from '../hub/retry.js';
import { hubSettingsFromEnv } from '../hub/settings.js';
import { formatBytes } from '../shared/bytes.js';
import { openModelFolder, type DtypeOption } from '../vision/modelFiles.js';
import { ModelFilesError } from '../vision/errors.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandLine, type CommandSpec } from './commandLine.js';
import { MODEL_PULL } from './commands.js';

const PULL_OPTIONS = {
  dtype: {
    type: 'string',
    value: 'D',
    help:
      'fp32, fp16, q8, int8, uint8, q4, q4f16 or bnb4; or per graph, e.g. vision_encoder=fp16,decoder_model_merged=q8 (a bare dtype ' +
      'sets the graphs not named)',
    default: 'fp32',
  },
  revision: { type: 'string', value: 'REV', help: 'a branch, tag or commit', default: 'main' },
  out: {
    type: 'string',
    value: 'DIR',
    help: 'the folder to download into',
    default: '~/.cache/florence-gateway/models/<owner>/<name> ($XDG_CACHE_HOME instead of ~/.cache when set)',
  },
} as const;

export const MODEL_PULL_SPEC: CommandSpec<typeof PULL_OPTIONS> = {
  ...MODEL_PULL,
  arguments: [['REPO', `a Hugging Face repository with an onnx-community Florence-2 export (default ${DEFAULT_MODEL_REPO})`]],
  options: PULL_OPTIONS,
  positionalCount: [0, 1],
  notes: `Environment: HF_ENDPOINT (the hub or a mirror; default https://huggingface.co), HF_TOKEN (private or gated
repositories), HF_HUB_OFFLINE=1 (no network: succeed only if the folder is already complete).`,
};

export async function modelPullCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(MODEL_PULL_SPEC, argv);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const repo = positionals[0] ?? DEFAULT_MODEL_REPO;
  try {
    const dtypes = parseDtypeSpec(values.dtype ?? 'fp32');
    const progress = createProgressReporter(process.stderr);
    const result = await pullModel({
      repo,
      dtype: dtypes,
      ...(values.revision !== undefined ? { revision: values.revision } : {}),
      ...(values.out !== undefined ? { outDir: values.out } : {}),
      progress,
    });
    const where = result.commit ? `${result.repo}@${result.commit.slice(0, 12)}` : `${result.repo}@${result.revision}`;
    const what = result.offline
      ? 'offline: every file is already here'
      : result.downloaded.length > 0
        ? `${result.downloaded.length} downloaded (${formatBytes(result.bytes)}), ${result.skipped.length} already verified`
        : `all ${result.skipped.length} files already verified, nothing downloaded`;
    console.error(`${where} (${describeDtypes(result.dtypes)}) ready in ${result.dir}: ${what}`);
    console.log(result.dir);
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof ModelFilesError)) throw error;
    console.error(`error: ${error.message}`);
    return error instanceof HubError && error.kind === 'usage' ? EXIT_USAGE : EXIT_FAILED;
  }
}

export interface EnsureDefaultModelOptions {
  /** The dtype the server will load (its DTYPE setting); default fp32. */
  readonly dtype?: DtypeOption;
  /** HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE and XDG_CACHE_HOME come from here (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Where progress goes (default process.stderr). */
  readonly stderr?: ProgressStream;
  /** For tests: a fetch and quicker retries. */
  readonly fetch?: FetchLike;
  readonly retry?: Partial<RetryOptions>;
}

/**
 * The default model's folder for `serve` when no MODEL_DIR is set: the cached copy when complete
 * (no request made; a hand-placed folder without a pull manifest counts if it loads); otherwise it
 * is pulled now with progress on stderr. Returns undefined when it
 * cannot be had (HF_HUB_OFFLINE, or the hub unreachable): the caller then prints its help
 * paragraph. An unreachable hub gets one line first saying why (DNS, connection refused, TLS); if
 * it was lost mid-download, the line says the next pull resumes. Other failures
 * (a refused token, a hash mismatch) throw HubError with a message that names the problem.
 */
export async function ensureDefaultModel(options: EnsureDefaultModelOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const dtypes = toDtypeMap(options.dtype ?? 'fp32');
  const dir = cachedModelDir(DEFAULT_MODEL_REPO, env);
  if (checkCachedModel(dir, { repo: DEFAULT_MODEL_REPO, dtypes }).complete) return dir;
  if (isHandPlaced(dir, dtypes)) return dir;
  if (hubSettingsFromEnv(env).offline) return undefined;
  const stderr = options.stderr ?? process.stderr;
  const reporter = createProgressReporter(stderr);
  let started = false;
  const progress: PullProgress = {
    ...reporter,
    plan: (info) => {
      started = true;
      reporter.plan(info);
    },
  };
  try {
    await pullModel({
      repo: DEFAULT_MODEL_REPO,
      dtype: dtypes,
      env,
      progress,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
    });
    return dir;
  } catch (error) {
    if (error instanceof HubError && (error.kind === 'network' || error.kind === 'offline')) {
      // One line with the real reason (DNS, refused, TLS, …); the caller's help paragraph follows.
      stderr.write(
        started
          ? `download of ${DEFAULT_MODEL_REPO} (${describeDtypes(dtypes)}) interrupted: ${error.message}; \`florence-gateway model ` +
              `pull\` resumes it\n`
          : `could not download ${DEFAULT_MODEL_REPO}: ${error.message}\n`,
      );
      return undefined;
    }
    throw error;
  }
}

/**
 * A folder someone put in the cache by hand (no pull manifest) that loads: used as it is, never
 * "repaired" from the hub, since its files may differ on purpose.
 */
function isHandPlaced(dir: string, dtypes: DtypeMap): boolean {
  if (!existsSync(dir) || existsSync(join(dir, MANIFEST_NAME))) return false;
  try {
    openModelFolder(dir, dtypes);
    return true;
  } catch {
    return false;
  }
}

/**
 * One file from the hub into the target folder: streamed to `<file>.incomplete`, resumed with a
 * Range request when a partial file is there, hashed while it streams (the partial's bytes first),
 * checked against the size and hash the hub announced, then renamed into place. The rename is the
 * only moment the final name appears, so a folder never holds a truncated or unverified file
 * under its real name.
 */
import { existsSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HubError } from './errors.js';
import type { HubClient } from './http.js';
import { ContentHasher, hashInto, type ContentDigest } from './hashing.js';
import type { RemoteFile } from './listing.js';
import type { PullProgress } from './progress.js';
import { withRetries, type RetryOptions } from './retry.js';

export const INCOMPLETE_SUFFIX = '.incomplete';

export interface DownloadContext {
  readonly client: HubClient;
  readonly repo: string;
  /** The commit (or, when unknown, the revision) that every resolve URL names. */
  readonly revision: string;
  readonly retry: RetryOptions;
  readonly progress: PullProgress;
}

export interface DownloadedFile {
  readonly path: string;
  readonly digest: ContentDigest;
  /** The commit the hub named in x-repo-commit. */
  readonly commit: string | undefined;
}

/** Downloads `file` to `target`, retrying network failures (each retry resumes). */
export async function downloadFile(context: DownloadContext, file: RemoteFile, target: string): Promise<DownloadedFile> {
  const partial = `${target}${INCOMPLETE_SUFFIX}`;
  await mkdir(dirname(target), { recursive: true });
  let restartedAfterMismatch = false;
  const retry: RetryOptions = {
    ...context.retry,
    onRetry: (error, attempt, delayMs) => {
      context.progress.retry(`${file.path}: ${error.message} (attempt ${attempt} of ${context.retry.attempts})`, delayMs);
      context.retry.onRetry?.(error, attempt, delayMs);
    },
  };
  for (;;) {
    const resumed = existsSync(partial) && (await stat(partial)).size > 0;
    try {
      return await withRetries(retry, () => downloadOnce(context, file, partial, target));
    } catch (error) {
      // A partial left by an earlier run may hold bytes of an older version of the file (the
      // branch moved since). Its mismatch says nothing about the hub, so start over once from zero.
      if (error instanceof HubError && error.kind === 'integrity' && resumed && !restartedAfterMismatch) {
        restartedAfterMismatch = true;
        continue;
      }
      throw error;
    }
  }
}

async function downloadOnce(context: DownloadContext, file: RemoteFile, partial: string, target: string): Promise<DownloadedFile> {
  const { client, progress } = context;
  let offset = existsSync(partial) ? (await stat(partial)).size : 0;
  if (file.size !== undefined && offset > file.size) {
    await rm(partial, { force: true });
    offset = 0;
  }
  // The git blob hash needs the size up front; the listing gives it whenever it gives a git oid.
  const gitBlobSize = file.gitOid !== undefined ? file.size : undefined;
  let hasher = new ContentHasher(gitBlobSize);
  if (offset > 0) await hashInto(hasher, partial);
  progress.fileStart(file.path, file.size, offset);
  if (file.size !== undefined && offset === file.size) {
    // Everything arrived last time, only the check and rename were missed.
    return finish(file, partial, target, hasher, undefined);
  }

  const url = client.fileUrl(context.repo, context.revision, file.path);
  const reply = await client.request(url, offset > 0 ? { headers: { range: `bytes=${offset}-` } } : {});
  try {
    const { response } = reply;
    const announced = { ...file, size: file.size ?? reply.metadata.size };
    if (response.status === 416 && offset > 0) {
      // The partial is at least as long as the file: check it as it is; a wrong one is deleted by finish.
      const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
      if (total !== undefined && Number(total) === offset) return finish(announced, partial, target, hasher, reply.metadata.commit);
      await rm(partial, { force: true });
      progress.rewind(offset);
      throw new HubError('network', `the server refused to resume ${file.path} at byte ${offset}; starting over`);
    }
    let append = false;
    if (response.status === 206 && offset > 0) {
      const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
      if (start === undefined || Number(start) !== offset) {
        await rm(partial, { force: true });
        progress.rewind(offset);
        throw new HubError(
          'network',
          `the server answered the resume of ${file.path} at ${offset} with the range ` +
            `${response.headers.get('content-range') ?? '(none)'}; starting over`,
        );
      }
      append = true;
    } else if (response.status === 200) {
      if (offset > 0) {
        // The server ignored the Range header: the body is the whole file, so drop what we had.
        progress.rewind(offset);
        hasher = new ContentHasher(gitBlobSize);
      }
    } else {
      throw client.statusError(response.status, response.headers, `${context.repo}/${file.path}`);
    }

    const handle = await open(partial, append ? 'a' : 'w');
    try {
      for await (const chunk of reply.chunks()) {
        await handle.write(chunk);
        hasher.update(chunk);
        progress.bytes(chunk.byteLength);
        if (announced.size !== undefined && hasher.size > announced.size) {
          throw new HubError('integrity', `${file.path}: received more than the announced ${announced.size} bytes`);
        }
      }
      // On disk before the rename, so a crash cannot leave a renamed file with missing bytes.
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (announced.size === undefined && response.status === 200) {
      const length = response.headers.get('content-length');
      if (length !== null && Number(length) !== hasher.size) {
        throw new HubError('network', `${file.path}: the connection ended after ${hasher.size} of ${length} bytes`);
      }
    }
    return await finish(announced, partial, target, hasher, reply.metadata.commit);
  } catch (error) {
    if (error instanceof HubError && error.kind === 'integrity') await rm(partial, { force: true });
    throw error;
  } finally {
    reply.close();
  }
}

/** Size and hash checks, then the atomic rename; a mismatch deletes the partial. */
async function finish(
  file: RemoteFile,
  partial: string,
  target: string,
  hasher: ContentHasher,
  commit: string | undefined,
): Promise<DownloadedFile> {
  if (file.size !== undefined && hasher.size < file.size) {
    // Short but not wrong: the connection ended early. The bytes stay for the next attempt.
    throw new HubError('network', `${file.path}: the connection ended after ${hasher.size} of ${file.size} bytes`);
  }
  const digest = hasher.digest();
  const fail = async (message: string): Promise<never> => {
    await rm(partial, { force: true });
    throw new HubError('integrity', `${message}; the partial download was deleted, run the pull again`);
  };
  if (file.size !== undefined && digest.size !== file.size)
    await fail(`size mismatch for ${file.path}: expected ${file.size} bytes, got ${digest.size}`);
  if (file.sha256 !== undefined && digest.sha256 !== file.sha256) {
    await fail(`sha256 mismatch for ${file.path}: expected ${file.sha256}, got ${digest.sha256}`);
  }
  if (file.gitOid !== undefined && digest.gitOid !== undefined && digest.gitOid !== file.gitOid) {
    await fail(`git blob hash mismatch for ${file.path}: expected ${file.gitOid}, got ${digest.gitOid}`);
  }
  await rename(partial, target);
  return { path: file.path, digest, commit };
}

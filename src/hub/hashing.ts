/**
 * Content hashes computed while bytes stream: sha256 always (the LFS oid the hub announces for
 * large files, and what the manifest records), plus the git blob sha1 when the hub's only hash for
 * a file is its git oid (regular, non-LFS files such as the JSON configs).
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface ContentDigest {
  readonly size: number;
  readonly sha256: string;
  /** Only when asked for (the git object header needs the size up front). */
  readonly gitOid: string | undefined;
}

export class ContentHasher {
  readonly #sha256: Hash = createHash('sha256');
  readonly #git: Hash | undefined;
  #size = 0;

  /** `gitBlobSize`: compute git's `sha1("blob <size>\0" + bytes)` too, for a file of that size. */
  constructor(gitBlobSize?: number) {
    if (gitBlobSize !== undefined) {
      this.#git = createHash('sha1');
      this.#git.update(`blob ${gitBlobSize}\0`);
    }
  }

  update(chunk: Uint8Array): void {
    this.#sha256.update(chunk);
    this.#git?.update(chunk);
    this.#size += chunk.byteLength;
  }

  get size(): number {
    return this.#size;
  }

  digest(): ContentDigest {
    return { size: this.#size, sha256: this.#sha256.digest('hex'), gitOid: this.#git?.digest('hex') };
  }
}

/** Feeds a file through `hasher`. */
export async function hashInto(hasher: ContentHasher, path: string, onBytes?: (n: number) => void): Promise<void> {
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hasher.update(chunk);
    onBytes?.(chunk.byteLength);
  }
}

export async function hashFile(path: string, gitBlobSize?: number): Promise<ContentDigest> {
  const hasher = new ContentHasher(gitBlobSize);
  await hashInto(hasher, path);
  return hasher.digest();
}

/**
 * Names that come from the user or the hub are untrusted: a repository id or a listed file path
 * must never make a pull write outside its target folder. Everything that becomes a path or a URL
 * passes through here first.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { HubError } from './errors.js';

/** The hub's own rule for owner and name: letters, digits, `-`, `_`, `.`; not starting with `.` or `-`. */
const REPO_PART = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
/** The hub caps repository names at 96 characters; anything longer is not a hub id. */
const MAX_REPO_PART_LENGTH = 96;
/** Branch, tag or commit: git ref characters, no `..`, no control characters. Encoded into URLs anyway. */
const REVISION = /^[A-Za-z0-9._/-]+$/;
/** Git refs are short; a long revision is a mistake or an attack on the URL. */
const MAX_REVISION_LENGTH = 255;
/** A listed file path: forward-slash separated, no empty, `.` or `..` segment, no backslash or control character. */
const PATH_SEGMENT = /^[^\\/\0-\x1f]+$/;

/** Checks `owner/name` and returns its two parts. */
export function parseRepoId(repo: string): readonly [owner: string, name: string] {
  const parts = repo.split('/');
  const [owner, name] = parts;
  const ok =
    parts.length === 2 &&
    owner !== undefined &&
    name !== undefined &&
    [owner, name].every((part) => REPO_PART.test(part) && part.length <= MAX_REPO_PART_LENGTH && !part.includes('..'));
  if (!ok) {
    throw new HubError(
      'usage',
      `invalid repository ${JSON.stringify(repo)}: expected owner/name (letters, digits, -, _, .), e.g. onnx-community/Florence-2-base-ft`,
    );
  }
  return [owner, name];
}

export function checkRevision(revision: string): string {
  const ok =
    revision.length <= MAX_REVISION_LENGTH &&
    REVISION.test(revision) &&
    !revision.includes('..') &&
    !revision.startsWith('/') &&
    !revision.endsWith('/');
  if (!ok) throw new HubError('usage', `invalid revision ${JSON.stringify(revision)}: expected a branch, tag or commit`);
  return revision;
}

/** True for a relative forward-slash path whose segments are all ordinary names. */
export function isSafeRepoPath(path: string): boolean {
  if (path.length === 0 || path.startsWith('/') || isAbsolute(path)) return false;
  return path.split('/').every((segment) => segment !== '.' && segment !== '..' && PATH_SEGMENT.test(segment));
}

/** Throws unless `path` (from a listing or a manifest) is a safe relative path. */
export function checkRepoPath(path: string, source: string): string {
  if (!isSafeRepoPath(path)) {
    throw new HubError(
      'protocol',
      `refusing the unsafe file path ${JSON.stringify(path)} from ${source}: paths must be relative, without "..", "." or backslashes`,
    );
  }
  return path;
}

/** `dir/path`, checked again after resolution so no path can land outside `dir`. */
export function safeJoin(dir: string, path: string): string {
  checkRepoPath(path, 'the file list');
  const target = join(dir, ...path.split('/'));
  const rel = relative(resolve(dir), resolve(target));
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw new HubError('protocol', `refusing to write ${JSON.stringify(path)} outside ${dir}`);
  }
  return target;
}

/** URL path for a repo file: every segment percent-encoded (the hub decodes them). */
export function encodeRepoPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

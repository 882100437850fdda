/**
 * Download progress on stderr. On a terminal: one line redrawn in place (bar, percent, bytes,
 * rate, ETA, current file). Elsewhere (CI logs, `npm start` piped to a file): a few plain lines,
 * one per file and one per quarter of the bytes, so logs stay short and readable.
 */
import { formatBytes } from '../shared/bytes.js';

/** Re-exported for the hub's callers (`model pull`'s summary); the formatter itself is shared. */
export { formatBytes };

export interface PullProgress {
  /** What is about to happen: files and bytes to download, files already verified. */
  plan(info: {
    readonly label: string;
    readonly dir: string;
    readonly files: number;
    readonly bytes: number;
    readonly skipped: number;
  }): void;
  /** A file starts (or restarts after a retry: its earlier count is replaced); `resumeFrom` bytes are already on disk. */
  fileStart(path: string, size: number | undefined, resumeFrom: number): void;
  /** Bytes arrived. */
  bytes(count: number): void;
  /** Bytes already counted were thrown away (the server restarted the file from zero). */
  rewind(count: number): void;
  fileDone(path: string): void;
  /** A network failure; another attempt follows after `delayMs`. */
  retry(message: string, delayMs: number): void;
  done(summary: { readonly files: number; readonly bytes: number }): void;
  /** The pull failed: end the progress line so the error prints on its own line. */
  fail(): void;
}

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** Defaults to `stream.isTTY`. */
  readonly tty?: boolean;
  readonly now?: () => number;
}

/** Redraw at most ten times a second: smooth to the eye, cheap on the terminal. */
const REDRAW_INTERVAL_MS = 100;
/** Plain-line mode reports at each quarter of the bytes. */
const PLAIN_MILESTONES = [25, 50, 75];
const BAR_WIDTH = 24;
/** Used when the terminal does not say its width. */
const DEFAULT_COLUMNS = 100;
/** The rate is averaged over a sliding window so it follows the link without jittering. */
const RATE_WINDOW_MS = 5000;

export const silentProgress: PullProgress = {
  plan: () => undefined,
  fileStart: () => undefined,
  bytes: () => undefined,
  rewind: () => undefined,
  fileDone: () => undefined,
  retry: () => undefined,
  done: () => undefined,
  fail: () => undefined,
};

export function createProgressReporter(stream: ProgressStream, options: ProgressOptions = {}): PullProgress {
  const tty = options.tty ?? stream.isTTY === true;
  const now = options.now ?? (() => performance.now());
  let total = 0;
  let done = 0;
  let transferred = 0;
  let started = now();
  let currentFile = '';
  /** Bytes of the current file counted in `done`, so a retry of the same file is not counted twice. */
  let fileCounted = 0;
  let lastDraw = -Infinity;
  let lineOpen = false;
  let nextMilestone = 0;
  const samples: Array<{ at: number; transferred: number }> = [];

  const rate = (): number => {
    const at = now();
    samples.push({ at, transferred });
    while (samples.length > 2 && at - (samples[0]?.at ?? at) > RATE_WINDOW_MS) samples.shift();
    const oldest = samples[0];
    if (!oldest || at - oldest.at < 1) return transferred / Math.max(1e-3, (at - started) / 1000);
    return ((transferred - oldest.transferred) * 1000) / (at - oldest.at);
  };
  const status = (): string => {
    const pct = total > 0 ? Math.min(100, (done / total) * 100) : 100;
    const perSecond = rate();
    const eta = perSecond > 0 && total > done ? formatDuration((total - done) / perSecond) : '--';
    return `${pct.toFixed(0).padStart(3)}%  ${formatBytes(done)} / ${formatBytes(total)}  ${formatBytes(perSecond)}/s  ETA ${eta}`;
  };
  const clearLine = (): void => {
    if (lineOpen) stream.write('\r\x1b[2K');
    lineOpen = false;
  };
  const line = (text: string): void => {
    clearLine();
    stream.write(`${text}\n`);
  };
  const draw = (force: boolean): void => {
    const at = now();
    if (!force && at - lastDraw < REDRAW_INTERVAL_MS) return;
    lastDraw = at;
    const filled = total > 0 ? Math.round((Math.min(done, total) / total) * BAR_WIDTH) : BAR_WIDTH;
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
    const head = `${bar} ${status()}  `;
    // The last column stays empty: writing into it makes some terminals wrap and break the redraw.
    const room = (stream.columns ?? DEFAULT_COLUMNS) - 1 - head.length;
    const name = currentFile.length <= room ? currentFile : room > 1 ? `…${currentFile.slice(currentFile.length - room + 1)}` : '';
    stream.write(`\r\x1b[2K${(head + name).slice(0, Math.max(0, (stream.columns ?? DEFAULT_COLUMNS) - 1))}`);
    lineOpen = true;
  };
  const milestones = (): void => {
    const pct = total > 0 ? (done / total) * 100 : 0;
    let passed: number | undefined;
    while (nextMilestone < PLAIN_MILESTONES.length && pct >= (PLAIN_MILESTONES[nextMilestone] ?? Infinity))
      passed = PLAIN_MILESTONES[nextMilestone++];
    if (passed !== undefined) line(`  ${status()}`);
  };

  return {
    plan(info) {
      total = info.bytes;
      started = now();
      const skipped = info.skipped > 0 ? `, ${info.skipped} already verified` : '';
      line(
        `pulling ${info.label} into ${info.dir}: ${info.files} file${info.files === 1 ? '' : 's'} (${formatBytes(info.bytes)}) to ` +
          `download${skipped}`,
      );
    },
    fileStart(path, size, resumeFrom) {
      if (path === currentFile) done -= fileCounted;
      currentFile = path;
      done += resumeFrom;
      fileCounted = resumeFrom;
      const sizeText = size === undefined ? '' : ` (${formatBytes(size)})`;
      const resume = resumeFrom > 0 ? `, resuming at ${formatBytes(resumeFrom)}` : '';
      if (tty) {
        if (resumeFrom > 0) line(`  ${path}${sizeText}${resume}`);
        draw(true);
      } else {
        line(`  ${path}${sizeText}${resume}`);
      }
    },
    bytes(count) {
      done += count;
      fileCounted += count;
      transferred += count;
      if (tty) draw(false);
      else milestones();
    },
    rewind(count) {
      const dropped = Math.min(count, fileCounted);
      done -= dropped;
      fileCounted -= dropped;
    },
    fileDone() {
      if (tty) draw(true);
    },
    retry(message, delayMs) {
      line(`  ${message}; retrying in ${formatDuration(delayMs / 1000)}`);
      if (tty) draw(true);
    },
    done(summary) {
      const seconds = (now() - started) / 1000;
      clearLine();
      const speed = seconds > 0 && summary.bytes > 0 ? ` (${formatBytes(summary.bytes / seconds)}/s)` : '';
      line(
        `downloaded ${summary.files} file${summary.files === 1 ? '' : 's'}, ${formatBytes(summary.bytes)} in ` +
          `${formatDuration(seconds)}${speed}`,
      );
    },
    fail() {
      if (lineOpen) stream.write('\n');
      lineOpen = false;
    },
  };
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

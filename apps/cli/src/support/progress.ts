import { performance } from 'node:perf_hooks';

/** Grouped digits in one fixed locale, so output (and tests) do not depend on the machine's. */
const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const formatCount = (n: number): string => INTEGER.format(n);

/** Events per second over `elapsedMs` (0 before any time has passed). */
export const ratePerSecond = (done: number, elapsedMs: number): number =>
  elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;

/** `[########------------]`: `width` cells, filled in proportion to done/total (clamped to 0..1). */
export function formatBar(done: number, total: number, width = 20): string {
  const fraction = total > 0 ? Math.min(Math.max(done / total, 0), 1) : 1;
  const filled = Math.floor(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** The percentage shown: floored, so 100% means done. */
const percent = (done: number, total: number): number =>
  total > 0 ? Math.floor(Math.min(Math.max(done / total, 0), 1) * 100) : 100;

/** The redrawn TTY line: `replay [####----] 41% 410,000/1,000,000 events · 152,300 events/s`. */
export function formatProgressLine(label: string, done: number, total: number, elapsedMs: number): string {
  return (
    `${label} ${formatBar(done, total)} ${percent(done, total)}% ` +
    `${formatCount(done)}/${formatCount(total)} events · ${formatCount(ratePerSecond(done, elapsedMs))} events/s`
  );
}

/** The line printed every few seconds when stderr is a file or a pipe (no bar: nothing redraws it). */
export function formatPlainProgress(label: string, done: number, total: number, elapsedMs: number): string {
  return (
    `${label}: ${formatCount(done)}/${formatCount(total)} events (${percent(done, total)}%) · ` +
    `${formatCount(ratePerSecond(done, elapsedMs))} events/s`
  );
}

/** The last line, in both modes: `replay: 1,000,000 events in 6.57 s · 152,300 events/s`. */
export function formatFinal(label: string, done: number, elapsedMs: number): string {
  return (
    `${label}: ${formatCount(done)} events in ${(elapsedMs / 1000).toFixed(2)} s · ` +
    `${formatCount(ratePerSecond(done, elapsedMs))} events/s`
  );
}

/** Where progress goes: process.stderr, or anything with `write` and `isTTY` (tests). */
export interface ProgressOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  readonly output?: ProgressOutput;
  /** Milliseconds, monotonic (default performance.now). */
  readonly now?: () => number;
  /** Least time between two redraws on a TTY (default 100 ms: about 10 a second). */
  readonly redrawMs?: number;
  /** Least time between two plain lines off a TTY (default 2000 ms). */
  readonly plainMs?: number;
}

// Carriage return, then erase to the end of the line, so a shorter line leaves no tail of the last one.
const REDRAW = '\r\x1b[K';

/**
 * A progress report for a long pass over events. On a TTY one line is redrawn in place (throttled); in a
 * file or pipe a plain line is written every few seconds at most. `finish` always writes the totals.
 */
export class ProgressBar {
  private readonly output: ProgressOutput;
  private readonly now: () => number;
  private readonly redrawMs: number;
  private readonly plainMs: number;
  private readonly startedAt: number;
  private lastWriteAt: number;
  private drawn = false;

  constructor(
    private readonly label: string,
    options: ProgressOptions = {},
  ) {
    this.output = options.output ?? process.stderr;
    this.now = options.now ?? (() => performance.now());
    this.redrawMs = options.redrawMs ?? 100;
    this.plainMs = options.plainMs ?? 2000;
    this.startedAt = this.now();
    this.lastWriteAt = this.startedAt;
  }

  update(done: number, total: number): void {
    const now = this.now();
    const tty = this.output.isTTY === true;
    if (now - this.lastWriteAt < (tty ? this.redrawMs : this.plainMs)) return;
    this.lastWriteAt = now;
    const elapsedMs = now - this.startedAt;
    if (tty) {
      this.output.write(`${REDRAW}${formatProgressLine(this.label, done, total, elapsedMs)}`);
      this.drawn = true;
    } else {
      this.output.write(`${formatPlainProgress(this.label, done, total, elapsedMs)}\n`);
    }
  }

  /** Writes the final line (replacing the bar on a TTY) and returns the elapsed milliseconds. */
  finish(done: number): number {
    const elapsedMs = this.now() - this.startedAt;
    const final = formatFinal(this.label, done, elapsedMs);
    this.output.write(this.drawn ? `${REDRAW}${final}\n` : `${final}\n`);
    this.drawn = false;
    return elapsedMs;
  }
}

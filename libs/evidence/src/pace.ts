/**
 * Cooperative scheduling for long reads on the request thread: work calls `await pace()` between small
 * steps (an event read, an event projected, an inclusion proof), and the pace yields to the event loop
 * once a slice of `sliceMs` has been spent, so other requests (`/health` among them) are answered between
 * slices. Not yielding is a resolved promise: cheap enough to call per event.
 */
export type Pace = () => Promise<void>;

/** Never yields: for offline work (the verifier, the CLI) where nothing else waits. */
export const NO_PACE: Pace = () => Promise.resolve();

/** Yields to the event loop (after I/O callbacks, `setImmediate`) once `sliceMs` of work has run since the last yield. */
export function yieldEvery(sliceMs: number): Pace {
  let sliceStarted = performance.now();
  return async () => {
    if (performance.now() - sliceStarted < sliceMs) return;
    await new Promise<void>((resume) => setImmediate(resume));
    sliceStarted = performance.now();
  };
}

/**
 * `pace`, stopping the work at its next step once `stopped` gives a reason (an error, thrown there): a read
 * whose client has gone ends within a slice instead of running to its end for nobody.
 */
export function until(pace: Pace, stopped: () => Error | undefined): Pace {
  return async () => {
    await pace();
    const reason = stopped();
    if (reason !== undefined) throw reason;
  };
}

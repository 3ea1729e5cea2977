// A stall is `timeoutMs` without progress: the reads of a URL (http-source.ts) and of a stream (arriving-stream.ts)
// fail with TIMEOUT then. One timer per watch, not one per chunk: each chunk only notes the time, and the timer, when
// it fires, waits again for what is left.

/** setTimeout's longest delay; a longer timeoutMs is waited in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface StallWatch {
  /** Starts watching from now, unless it is watching already. */
  start(): void;
  /** Notes progress: the stall is counted from now. */
  progress(): void;
  /** Stops watching (a finished or paused read). */
  stop(): void;
}

/** Calls `onStall` once `timeoutMs` pass between start() and stop() without progress(); Infinity never does. */
export function stallWatch(timeoutMs: number, onStall: () => void): StallWatch {
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watching = false;
  const wait = (ms: number) => {
    timer = setTimeout(() => {
      const idle = Date.now() - last;
      if (idle < timeoutMs) return wait(timeoutMs - idle);
      watching = false;
      onStall();
    }, Math.min(ms, MAX_TIMER_MS));
  };
  return {
    start() {
      if (watching) return;
      watching = true;
      last = Date.now();
      if (timeoutMs !== Infinity) wait(timeoutMs);
    },
    progress() {
      last = Date.now();
    },
    stop() {
      watching = false;
      clearTimeout(timer);
    },
  };
}

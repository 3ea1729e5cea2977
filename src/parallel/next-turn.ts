// The next turn of the event loop, as soon as the runtime allows: setImmediate in Node; elsewhere a message on a new
// MessageChannel. A 0 ms timer is not that in browsers once timers nest five deep: it waits 4 ms or more (headless
// Chromium, a chain of next turns: 4.4 ms a turn by timer, under 0.1 ms by message), so a batch of chunks asked for
// from a timer-driven loop would leave the workers idle that long.

/** Runs `f` once the current turn of the event loop (its promise callbacks too) is over. */
export function nextTurn(f: () => void): void {
  if (typeof setImmediate === 'function') {
    setImmediate(f);
    return;
  }
  // A channel per call, closed once used: an open port with a listener would keep a Deno process alive.
  const { port1, port2 } = new MessageChannel();
  port1.onmessage = () => {
    port1.close();
    f();
  };
  port2.postMessage(null);
}

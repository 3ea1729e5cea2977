// Starting one worker from the embedded code, in every runtime: a module Web Worker from a Blob URL (browsers, Deno),
// or a node:worker_threads Worker from the same code (a data: URL) with a few lines that give it a Web worker's
// onmessage and postMessage. node: modules load through a computed specifier, so that bundlers for the browser leave them alone.
import { TensorzipError } from '../errors';
import { WORKER_SOURCE } from './generated/worker';
import type { WorkerReply } from './protocol';

export interface WorkerEvents {
  message(reply: WorkerReply): void;
  /** The worker stopped or raised an error outside any chunk: it takes no more work. */
  died(reason: unknown): void;
}

export interface WorkerHandle {
  post(message: unknown, transfer: ArrayBuffer[]): void;
  /** Whether the worker keeps a Node process alive: only while it has work, so an idle pool never does. */
  hold(busy: boolean): void;
  terminate(): void;
}

export type StartWorker = (events: WorkerEvents) => WorkerHandle;

type NodeWorkerThreads = typeof import('node:worker_threads');
const loadNodeModule = (name: string): Promise<unknown> => import(/* @vite-ignore */ /* webpackIgnore: true */ name);

// An ES module from a data: URL: it runs the same whatever the parent's flags (an eval worker would inherit
// --input-type and might find no require()).
const NODE_PRELUDE = "import { parentPort as port } from 'node:worker_threads';"
  + 'globalThis.postMessage = (message, transfer) => port.postMessage(message, transfer);'
  + "port.on('message', (data) => globalThis.onmessage({ data }));\n";

let nodeWorkerUrl: URL | undefined;

let blobUrl: string | undefined;

function startWebWorker(events: WorkerEvents): WorkerHandle {
  blobUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(blobUrl, { type: 'module' });
  worker.onmessage = (event) => events.message(event.data as WorkerReply);
  worker.onerror = (event) => {
    event.preventDefault();
    worker.terminate();
    events.died(event.message);
  };
  worker.onmessageerror = () => events.died('a message could not be read');
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    hold: () => {},
    terminate: () => worker.terminate(),
  };
}

function nodeStarter(threads: NodeWorkerThreads): StartWorker {
  return (events) => {
    nodeWorkerUrl ??= new URL(`data:text/javascript,${encodeURIComponent(NODE_PRELUDE + WORKER_SOURCE)}`);
    const worker = new threads.Worker(nodeWorkerUrl);
    let stopping = false;
    worker.on('message', (reply: WorkerReply) => events.message(reply));
    worker.on('error', (err) => events.died(err));
    worker.on('exit', (code) => {
      if (!stopping) events.died(`the worker exited with code ${code}`);
    });
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref();
    return {
      post: (message, transfer) => worker.postMessage(message, transfer),
      hold: (busy) => (busy ? worker.ref() : worker.unref()),
      terminate: () => {
        stopping = true;
        void worker.terminate();
      },
    };
  };
}

const hasWebWorkers = () => typeof (globalThis as { Worker?: unknown }).Worker === 'function';

/** How workers start in this runtime; UNSUPPORTED where there are none. */
export async function workerStarter(): Promise<StartWorker> {
  if (hasWebWorkers()) return startWebWorker;
  try {
    return nodeStarter((await loadNodeModule('node:worker_threads')) as NodeWorkerThreads);
  } catch (cause) {
    throw new TensorzipError('UNSUPPORTED', 'workers: this runtime has neither Web Workers nor node:worker_threads', { cause });
  }
}

/** The number of cores the runtime reports (at least 1). */
export async function availableCores(): Promise<number> {
  const reported = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (typeof reported === 'number' && reported > 0) return reported;
  try {
    return Math.max(1, ((await loadNodeModule('node:os')) as typeof import('node:os')).availableParallelism());
  } catch {
    return 1;
  }
}

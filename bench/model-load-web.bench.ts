// bench/model-load.bench.ts in Chromium: from a URL to a model ready to run, on localhost, the original files
// against a .tzip (lossless and int8), in the browser builds users load with script tags.
//   TF.js (tfjs-core + cpu backend + converter): tf.loadGraphModel(url of model.json) vs tf.loadGraphModel(tfjs.ioHandler(url of .tzip))
//   onnxruntime-web (WebAssembly, 1 thread):     ort.InferenceSession.create(url of .onnx) vs onnx.createSession(ort, url of .tzip)
// Each load runs in a fresh browser (empty HTTP cache, nothing compiled yet: tensorzip's kernels load inside the
// timed span, without init()). ORT's runtime is started first, on another model (melspectrogram): its 14 MB of
// WebAssembly take 5–20 s to compile and start cold on this VM, the same on both sides, which would drown the
// difference. Medians over BENCH_PROCESSES browsers (default 5): wall time, bytes the server sent from the models'
// folders, the renderer process's CPU time (user + system, /proc, 10 ms ticks) and the peak resident memory the load
// added to it (VmHWM after − before).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright';
import { median } from './fresh-processes';
import { prepareModels, serveModels, urlOf, WAYS, type Way } from './model-load-files';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 5);

interface Run { ms: number; cpuMs: number; bytes: number; peakMiB: number }

const PAGE = `<!doctype html><title>model load</title>
<script src="/tfjs-core/tf-core.min.js"></script>
<script src="/tfjs-cpu/tf-backend-cpu.min.js"></script>
<script src="/tfjs-converter/tf-converter.min.js"></script>
<script src="/ort/ort.wasm.min.js"></script>
<script src="/tensorzip/index.iife.min.js"></script>`;

const LIBRARIES = {
  'tfjs-core': 'node_modules/@tensorflow/tfjs-core/dist', 'tfjs-cpu': 'node_modules/@tensorflow/tfjs-backend-cpu/dist',
  'tfjs-converter': 'node_modules/@tensorflow/tfjs-converter/dist', ort: 'node_modules/onnxruntime-web/dist', tensorzip: 'dist',
};

/** The page's side, before the timed span: the TF.js backend, or ORT's runtime started on another model. */
async function setUp(framework: string): Promise<void> {
  const g = globalThis as unknown as Record<string, any>; // the script tags' globals
  if (framework === 'tfjs') return void await g.tf.setBackend('cpu');
  g.ort.env.wasm.numThreads = 1;
  g.ort.env.wasm.wasmPaths = '/ort/';
  await g.ort.InferenceSession.create('/onnx/melspectrogram.onnx');
}

/** The page's side of a run: loads `url` the way `way` says, returns the wall time. */
async function load([way, url]: [string, string]): Promise<number> {
  const g = globalThis as unknown as Record<string, any>;
  const [framework, , variant] = way.split(':');
  const started = performance.now();
  if (framework === 'tfjs') await g.tf.loadGraphModel(variant === 'original' ? url : g.tensorzip.tfjs.ioHandler(url));
  else if (variant === 'original') await g.ort.InferenceSession.create(url);
  else await g.tensorzip.onnx.createSession(g.ort, url);
  return performance.now() - started;
}

/** Renderer processes under the browser's process (pid), by /proc. */
function renderers(browserPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch { /* gone */ }
  }
  const all: number[] = [];
  const walk = (pid: number) => (children.get(pid) ?? []).forEach((c) => { all.push(c); walk(c); });
  walk(browserPid);
  return all.filter((pid) => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer'); } catch { return false; } });
}

/** Each renderer's peak resident KiB (VmHWM) and CPU time in ms (user + system, 10 ms ticks); a renderer that
 *  exits meanwhile is left out. */
function renderersNow(browserPid: number): Map<number, { peakKiB: number; cpuMs: number }> {
  const now = new Map<number, { peakKiB: number; cpuMs: number }>();
  for (const pid of renderers(browserPid)) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
      now.set(pid, { peakKiB, cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 });
    } catch { /* gone */ }
  }
  return now;
}

async function browserRun(way: Way, origin: string, modelBytes: () => number): Promise<Run> {
  // A browser server, for its process id: the renderers are its descendants.
  const server = await chromium.launchServer({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const browser = await chromium.connect(server.wsEndpoint());
  try {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    const browserPid = server.process().pid!;
    await page.evaluate(setUp, way.split(':')[0]!);
    const before = renderersNow(browserPid);
    const sentBefore = modelBytes();
    const ms = await page.evaluate(load, [way, urlOf(way, origin)] as [string, string]);
    // The page's renderer is the one whose peak grew most; CPU counts every renderer.
    const after = [...renderersNow(browserPid)].map(([pid, r]) => ({ peakKiB: r.peakKiB - (before.get(pid)?.peakKiB ?? 0), cpuMs: r.cpuMs - (before.get(pid)?.cpuMs ?? 0) }));
    const peakMiB = Math.max(...after.map((r) => r.peakKiB)) / 1024;
    return { ms, cpuMs: after.reduce((n, r) => n + r.cpuMs, 0), bytes: modelBytes() - sentBefore, peakMiB };
  } finally {
    await browser.close();
    await server.close();
  }
}

await prepareModels();
const server = await serveModels(LIBRARIES, PAGE);
const runs = new Map<Way, Run[]>(WAYS.map((w) => [w, []]));
for (let p = 0; p < PROCESSES; p++) for (const way of WAYS) runs.get(way)!.push(await browserRun(way, server.origin, server.modelBytes));
server.close();
const rows = WAYS.map((way) => {
  const r = runs.get(way)!;
  return { way, ms: median(r.map((x) => x.ms)), cpuMs: median(r.map((x) => x.cpuMs)), bytes: median(r.map((x) => x.bytes)), peakMiB: median(r.map((x) => x.peakMiB)), runs: r };
});
for (const row of rows) {
  console.log(`${row.way.padEnd(32)} ${row.ms.toFixed(0).padStart(6)} ms  ${row.cpuMs.toFixed(0).padStart(6)} ms CPU  ${row.bytes.toLocaleString('en').padStart(11)} bytes  +${row.peakMiB.toFixed(1)} MiB peak`);
}
writeFileSync('bench/results/model-load-web.json', JSON.stringify({ date: new Date().toISOString(), browser: chromium.name(), processes: PROCESSES, rows }, null, 2));

// The fuzz campaign (scripts/fuzz.mjs bundles this file and calls main): mutates corpus inputs, runs each case in a
// worker thread with a time budget (a case that does not answer in time is a hang: the worker is replaced), and
// saves each new failure signature under test/fuzz/pending/<target>/. The same file runs as the worker.
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { random } from '../helpers/data';
import { CORPUS_ROOT, PENDING_ROOT, readInputs, readSignatures, saveInput } from './corpus';
import { createFuzzEngines } from './engines';
import { mutateBytes, type Random } from './mutate-bytes';
import { mutateJson } from './mutate-json';
import { runCase, type CaseResult } from './run-case';
import type { FuzzTarget } from './target';
import { TARGETS } from './targets/index';

const CASE_BUDGET_MS = 2000;
const POOL_LIMIT = 2000;
/** Larger mutants (100,000-deep JSON) are run, not bred from: they would slow every later case. */
const POOL_INPUT_LIMIT = 64 << 10;

interface Options {
  minutes: number;
  targets: FuzzTarget[];
  seed: number;
  writeSeeds: boolean;
  replay: boolean;
}

function parseOptions(args: string[]): Options {
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i < 0 ? undefined : args[i + 1];
  };
  const names = value('--target')?.split(',');
  const unknown = names?.filter((n) => !TARGETS.some((t) => t.name === n)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown target ${unknown.join(', ')}; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
  return {
    minutes: Number(value('--minutes') ?? 1),
    targets: names === undefined ? [...TARGETS] : TARGETS.filter((t) => names.includes(t.name)),
    seed: Number(value('--seed') ?? Date.now() % 2 ** 31),
    writeSeeds: args.includes('--write-seeds'),
    replay: args.includes('--replay'),
  };
}

/** A worker that runs cases; answers null when a case took longer than the budget (and is then replaced). */
class CaseRunner {
  private worker!: Worker;
  private ready!: Promise<void>;
  constructor() {
    this.start();
  }
  private start(): void {
    this.worker = new Worker(fileURLToPath(import.meta.url));
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', () => resolve());
      this.worker.once('error', reject);
    });
  }
  async restart(): Promise<void> {
    await this.worker.terminate();
    this.start();
    await this.ready;
  }
  async run(target: string, bytes: Uint8Array): Promise<CaseResult | null> {
    await this.ready;
    return new Promise((resolve) => {
      const done = (result: CaseResult | null) => {
        clearTimeout(timer);
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        resolve(result);
      };
      const onMessage = (result: CaseResult) => done(result);
      const onError = (err: Error) => done({ signature: `${target}: worker died: ${err.message.slice(0, 100)}`, detail: String(err.stack) });
      const timer = setTimeout(() => done(null), CASE_BUDGET_MS);
      this.worker.on('message', onMessage);
      this.worker.once('error', onError);
      this.worker.postMessage({ target, bytes });
    });
  }
  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

function mutant(target: FuzzTarget, pool: Uint8Array[], rng: Random): Uint8Array {
  let bytes = pool[Math.floor(rng() * pool.length)];
  for (let n = 1 + Math.floor(rng() * 3); n > 0; n--) {
    const span = target.json !== undefined && rng() < 0.35 ? target.json(bytes) : undefined;
    let edited: string | undefined;
    try {
      edited = span === undefined ? undefined : mutateJson(span.text, rng);
    } catch {
      edited = undefined; // an input nested too deep for the mutator's recursion
    }
    bytes = span !== undefined && edited !== undefined ? span.rebuild(edited) : mutateBytes(bytes, rng, pool);
  }
  return target.repair !== undefined && rng() < 0.8 ? target.repair(bytes) : bytes;
}

interface Tally { cases: number; failing: number; signatures: string[]; ms: number }

async function campaign(options: Options): Promise<void> {
  const rng = random(options.seed);
  const runner = new CaseRunner();
  const end = Date.now() + options.minutes * 60_000;
  const state = options.targets.map((target) => ({
    target,
    pool: [...readInputs(CORPUS_ROOT, target.name), ...readInputs(PENDING_ROOT, target.name)].map((f) => f.bytes),
    outcomes: new Set<string>(),
    known: new Set(readSignatures(PENDING_ROOT, target.name)),
    tally: { cases: 0, failing: 0, signatures: [], ms: 0 } as Tally,
  }));
  console.log(`fuzz: seed ${options.seed}, ${options.minutes} min, targets ${options.targets.map((t) => t.name).join(', ')}`);
  let lastReport = Date.now();
  for (let turn = 0; Date.now() < end; turn++) {
    const s = state[turn % state.length];
    if (s.pool.length === 0) continue;
    const bytes = mutant(s.target, s.pool, rng);
    const started = performance.now();
    let result = await runner.run(s.target.name, bytes);
    s.tally.ms += performance.now() - started;
    s.tally.cases++;
    if (result === null) {
      result = { signature: `${s.target.name}: hang: no answer in ${CASE_BUDGET_MS} ms`, detail: '' };
      await runner.restart();
    }
    if ('outcome' in result) {
      if (result.outcome !== 'SKIP' && !s.outcomes.has(result.outcome) && s.pool.length < POOL_LIMIT && bytes.length <= POOL_INPUT_LIMIT) s.pool.push(bytes);
      s.outcomes.add(result.outcome);
    } else {
      s.tally.failing++;
      if (result.signature.includes('memory grew') || result.signature.includes('worker died')) await runner.restart();
      if (!s.known.has(result.signature)) {
        s.known.add(result.signature);
        s.tally.signatures.push(result.signature);
        const file = saveInput(PENDING_ROOT, s.target.name, bytes, `${result.signature}\n${result.detail.split('\n')[0].slice(0, 300)}`);
        console.log(`NEW ${result.signature}\n    ${file ?? '(input already saved)'}: ${result.detail.split('\n')[0].slice(0, 300)}`);
      }
    }
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      console.log(`  … ${state.map((t) => `${t.target.name} ${t.tally.cases}`).join(', ')}`);
    }
  }
  await runner.stop();
  console.log('\ntarget         cases  cases/s  failing  new signatures');
  for (const { target, tally } of state) {
    const rate = tally.ms > 0 ? (tally.cases / (tally.ms / 1000)).toFixed(0) : '-';
    console.log(`${target.name.padEnd(12)} ${String(tally.cases).padStart(7)} ${rate.padStart(8)} ${String(tally.failing).padStart(8)}  ${tally.signatures.length}`);
    for (const sig of tally.signatures) console.log(`    ${sig}`);
  }
}

/** Every corpus and pending input, each in the worker with the time budget: what still fails. */
async function replay(options: Options): Promise<void> {
  const runner = new CaseRunner();
  for (const target of options.targets) {
    for (const root of [CORPUS_ROOT, PENDING_ROOT]) {
      const inputs = readInputs(root, target.name);
      let failing = 0;
      for (const { file, bytes } of inputs) {
        const result = (await runner.run(target.name, bytes)) ?? { signature: 'hang', detail: '' };
        if (!('outcome' in result)) {
          failing++;
          console.log(`  ${file}: ${result.signature}\n      ${result.detail.split('\n')[0].slice(0, 200)}`);
          await runner.restart();
        }
      }
      if (inputs.length > 0) console.log(`${root}/${target.name}: ${inputs.length} inputs, ${failing} failing`);
    }
  }
  await runner.stop();
}

async function writeSeeds(options: Options): Promise<void> {
  const engines = await createFuzzEngines();
  for (const target of options.targets) {
    const added = (await target.seeds(engines)).filter((bytes) => saveInput(CORPUS_ROOT, target.name, bytes) !== undefined);
    console.log(`${target.name}: ${added.length} new seed files`);
  }
}

export async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  if (options.writeSeeds) await writeSeeds(options);
  else if (options.replay) await replay(options);
  else await campaign(options);
}

if (!isMainThread) {
  console.log = console.warn = () => {}; // tfjs-core's banner on every worker start
  const engines = await createFuzzEngines();
  const byName = new Map(TARGETS.map((t) => [t.name, t]));
  parentPort!.on('message', async ({ target, bytes }: { target: string; bytes: Uint8Array }) => {
    parentPort!.postMessage(await runCase(byName.get(target)!, engines, bytes));
  });
  parentPort!.postMessage('ready');
}

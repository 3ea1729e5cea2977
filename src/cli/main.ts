// The `tensorzip` command line (Node). It uses the public API only.
//   tensorzip pack <model.safetensors|array.npy|model.json|model.gguf> -o out.tzip [--quantize mode] [--max-error x] …
//   tensorzip unpack in.tzip -o out.safetensors|out.npy|directory/
//   tensorzip inspect in.tzip [--json]
//   tensorzip verify in.tzip [--json]
// Exit codes: 0 done; 1 the input is damaged, unsupported or over a limit; 2 bad usage or arguments; 3 a file could
// not be read or written.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { gguf, isTensorzipError, npy, open, pack, safetensors, tfjs, type QuantizeMode, type TensorInput, type TfjsModel } from '../index';

const EXIT_DAMAGED = 1;
const EXIT_USAGE = 2;
const EXIT_IO = 3;

class IoError extends Error {}

function readFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (cause) {
    throw new IoError(`cannot read ${path}: ${(cause as Error).message}`);
  }
}

function writeFile(path: string, bytes: Uint8Array): void {
  try {
    writeFileSync(path, bytes);
  } catch (cause) {
    throw new IoError(`cannot write ${path}: ${(cause as Error).message}`);
  }
}

/** A progress bar on stderr, only for a person watching (a TTY) and never with --json. */
function progress(label: string, json: boolean): { update(done: number, total: number): void; stop(): void } {
  if (json || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total}`, stream: process.stderr }, Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (!started) bar.start(total, 0);
      started = true;
      bar.setTotal(total);
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}

interface Input {
  tensors: Record<string, TensorInput>;
  /** Bytes of every file read. */
  bytes: number;
  /** Each weight's channel axis, from the model's graph (TF.js); the others take the least-error axis. */
  channelAxes?: Record<string, number>;
}

/** A TF.js model.json (or a bare weights manifest, as some packages ship), with its shards beside it. */
function readTfjsModel(path: string, json: Uint8Array): Input {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(json));
  } catch {
    throw new InvalidArgumentError(`${path}: not valid JSON`);
  }
  const modelJson = (Array.isArray(parsed) ? { weightsManifest: parsed } : parsed) as TfjsModel['modelJson'];
  const paths = Array.isArray(modelJson?.weightsManifest) ? modelJson.weightsManifest.flatMap((g) => (Array.isArray(g?.paths) ? g.paths : [])) : [];
  const shards = Object.fromEntries(paths.map((p) => [p, readFile(join(dirname(path), p))]));
  const bytes = json.length + Object.values(shards).reduce((n, s) => n + s.length, 0);
  return { tensors: tfjs.read({ modelJson, shards }), bytes, channelAxes: tfjs.channelAxes(modelJson) };
}

function readInput(path: string): Input {
  const bytes = readFile(path);
  const from = (tensors: Record<string, TensorInput>): Input => ({ tensors, bytes: bytes.length });
  switch (extname(path)) {
    case '.npy': return from({ [basename(path, '.npy')]: npy.read(bytes) });
    case '.safetensors': return from(safetensors.read(bytes).tensors);
    case '.gguf': return from(gguf.read(bytes).tensors);
    case '.json': return readTfjsModel(path, bytes);
  }
  throw new InvalidArgumentError(`${path}: expected a .safetensors, .npy, .gguf or TF.js model.json file`);
}

const channelAxis = (value: string): 0 | -1 => {
  if (value !== '0' && value !== '-1') throw new InvalidArgumentError('--channel-axis must be 0 or -1');
  return Number(value) as 0 | -1;
};

const number = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${what} must be a number`);
  return n;
};

function ratio(encoded: number, decoded: number): string {
  return encoded === 0 ? '—' : `${(decoded / encoded).toFixed(2)}x`;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('tensorzip').description('Pack ML tensors into .tzip containers and back.').exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  program.command('pack').argument('<input>', '.safetensors, .npy, .gguf, or a TF.js model.json with its shards beside it')
    .requiredOption('-o, --output <file>', 'the .tzip to write')
    .option('-q, --quantize <mode>', "lossless | fp16 | bf16 | int8 | int4 | auto", 'auto')
    .option('--channel-axis <axis>', 'one channel axis for all per-channel scales, 0 or -1 (default: per tensor, from the model graph or the data)', channelAxis)
    .option('--max-error <x>', "'auto': largest |x − x̂| allowed", number('--max-error'))
    .option('--min-sqnr <db>', "'auto': smallest SQNR allowed, in dB", number('--min-sqnr'))
    .option('--no-sparse', 'never store tensors as bitmask + values')
    .option('--json', 'print a JSON summary')
    .action(async (input: string, o: { output: string; quantize: QuantizeMode; channelAxis?: 0 | -1; maxError?: number; minSqnr?: number; sparse: boolean; json?: boolean }) => {
      const { tensors, bytes: inputBytes, channelAxes } = readInput(input);
      const bar = progress('pack', Boolean(o.json));
      const file = await pack(tensors, {
        quantize: o.quantize, channelAxis: o.channelAxis, channelAxes, maxAbsError: o.maxError, minSqnrDb: o.minSqnr, sparse: o.sparse, onProgress: bar.update,
      });
      bar.stop();
      writeFile(o.output, file);
      const summary = { input, output: o.output, tensors: Object.keys(tensors).length, inputBytes, outputBytes: file.length, ratio: inputBytes / file.length };
      process.stdout.write(o.json ? `${JSON.stringify(summary)}\n` : `${o.output}: ${summary.tensors} tensors, ${inputBytes} → ${file.length} bytes (${summary.ratio.toFixed(2)}x)\n`);
    });

  program.command('unpack').argument('<input>', 'a .tzip file').requiredOption('-o, --output <path>', 'out.safetensors, out.npy (one tensor) or a directory')
    .option('--json', 'print a JSON summary')
    .action(async (input: string, o: { output: string; json?: boolean }) => {
      const archive = await open(readFile(input));
      const bar = progress('unpack', Boolean(o.json));
      const tensors: Record<string, TensorInput> = {};
      for (const [i, t] of archive.tensors.entries()) {
        tensors[t.name] = await archive.get(t.name);
        bar.update(i + 1, archive.tensors.length);
      }
      bar.stop();
      if (o.output.endsWith('.safetensors')) {
        writeFile(o.output, safetensors.write(tensors, { ...archive.metadata }));
      } else if (o.output.endsWith('.npy')) {
        const names = Object.keys(tensors);
        if (names.length !== 1) throw new InvalidArgumentError(`${input} holds ${names.length} tensors; a .npy file holds one (give a directory)`);
        writeFile(o.output, npy.write(tensors[names[0]]));
      } else {
        mkdirSync(o.output, { recursive: true });
        for (const [name, t] of Object.entries(tensors)) writeFile(join(o.output, `${name.replace(/[/\\:]/g, '_')}.npy`), npy.write(t));
      }
      const summary = { input, output: o.output, tensors: archive.tensors.length };
      process.stdout.write(o.json ? `${JSON.stringify(summary)}\n` : `${o.output}: ${summary.tensors} tensors\n`);
    });

  program.command('inspect').argument('<input>', 'a .tzip file').option('--json', 'print JSON')
    .action(async (input: string, o: { json?: boolean }) => {
      const archive = await open(readFile(input));
      const rows = archive.tensors.map((t) => ({
        tensor: t.name, dtype: t.dtype, shape: t.shape, stored: t.storedDtype,
        pipeline: t.pipeline.map((s) => s.codec + ('typesize' in s ? `(${s.typesize})` : 'format' in s ? `(${s.format})` : '')).join(' → ') || 'none',
        encodedBytes: t.encodedBytes, decodedBytes: t.decodedBytes, maxAbsError: t.stats?.maxAbsError ?? 0,
      }));
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ tensors: rows, metadata: archive.metadata })}\n`);
        return;
      }
      const table = [['tensor', 'dtype', 'shape', 'stored', 'pipeline', 'ratio', 'max error'],
        ...rows.map((r) => [r.tensor, r.dtype, `[${r.shape.join(', ')}]`, r.stored, r.pipeline, ratio(r.encodedBytes, r.decodedBytes), r.maxAbsError === 0 ? '0' : r.maxAbsError.toExponential(2)])];
      const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
      for (const row of table) process.stdout.write(`${row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()}\n`);
    });

  program.command('verify').argument('<input>', 'a .tzip file').option('--json', 'print JSON')
    .action(async (input: string, o: { json?: boolean }) => {
      const archive = await open(readFile(input));
      const bar = progress('verify', Boolean(o.json));
      for (const [i, t] of archive.tensors.entries()) {
        await archive.get(t.name);
        bar.update(i + 1, archive.tensors.length);
      }
      bar.stop();
      process.stdout.write(o.json ? `${JSON.stringify({ input, ok: true, tensors: archive.tensors.length })}\n` : `${input}: ok, ${archive.tensors.length} tensors verified\n`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    const json = argv.includes('--json');
    const report = (code: string, message: string) =>
      process.stderr.write(json ? `${JSON.stringify({ ok: false, code, message })}\n` : `tensorzip: ${message}\n`);
    if (err instanceof IoError) {
      report('IO', err.message);
      return EXIT_IO;
    }
    if (err instanceof InvalidArgumentError || isTensorzipError(err, 'ARGUMENT')) {
      report('ARGUMENT', (err as Error).message);
      return EXIT_USAGE;
    }
    if (isTensorzipError(err)) {
      report(err.code, err.message);
      return EXIT_DAMAGED;
    }
    // Commander has printed its own message (unknown command, missing option, --help).
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    throw err;
  }
}

// The `tensorzip` command line (Node). It uses the public API only.
//   tensorzip pack <model.safetensors|array.npy|model.json|model.gguf|model.onnx> -o out.tzip [--quantize mode] [--quality dB] [--max-error x] [--prune share] …
//   tensorzip unpack in.tzip -o out.safetensors|out.npy|model.json|model.onnx|directory/
//   tensorzip inspect in.tzip [--json]
//   tensorzip verify in.tzip [--public-key key.public.jwk] [--key-file k.key.jwk | --passphrase-file p.txt] [--json]
//   tensorzip keygen -o name [--algorithm ed25519|p256 | --symmetric]
//   tensorzip pack … --encrypt-key-file k.key.jwk | --passphrase-file p.txt [--public-index]   (unpack, inspect: --key-file | --passphrase-file)
//   tensorzip pack model.onnx|model.json -o out.tzip --calibrate [inputs.npy …] [--min-output-cosine 0.999]
//   tensorzip compare <original model> in.tzip [--min-sqnr dB] [--inputs a.npy …] [--min-output-cosine x] [--json]
//   tensorzip dataset pack <x.npy y.npy … | table.csv | rows.jsonl | rows.json> -o data.tzip|manifest.json [--shard-bytes n]
//   tensorzip dataset inspect data.tzip|manifest.json [--json]
// Exit codes: 0 done; 1 the input is damaged, unsupported (a framework not installed included) or over a limit, or
// compare found a difference (a tensor below --min-sqnr, an output below --min-output-cosine, a name on one side
// only, a shape that differs: the archive is then not the same model, and its outputs are not compared); 2 bad
// usage or arguments (sample inputs of another dtype or shape included); 3 a file could not be read or written. Results go to stdout, errors and warnings to stderr; with --json each is one JSON line
// (errors: {"ok": false, "code", "message"}), usage errors included.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { calibrate, compare, createShardedWriter, isTensorzipError, open, pack, tfjs, TensorzipError, type CalibrationReport, type EncryptOptions, type Framework, type PackOptions, type QuantizeMode, type TensorInput } from '../index';
import { basename, dirname, join } from 'node:path';
import { IoError, readFile, writeFileAtomic } from './files';
import { readInput } from './inputs';
import { isOnnxOutput, isTfjsOutput, writeOnnxModel, writeOutput, writeTfjsModel } from './outputs';
import { progress } from './progress';
import { inspectRows, printTable } from './inspect';
import { belowSqnr, printCalibration, printComparison, sameTensors } from './compare';
import { loadFramework } from './frameworks';
import { readSampleInputs } from './sample-files';
import { datasetInspect, datasetPack } from './dataset';
import { keygenCommand, readKey, secretOf, signCommand } from './keys';

const EXIT_DAMAGED = 1;
const EXIT_DIFFERENT = 1;
const EXIT_USAGE = 2;
const EXIT_IO = 3;

const channelAxis = (value: string): 0 | -1 => {
  if (value !== '0' && value !== '-1') throw new InvalidArgumentError('--channel-axis must be 0 or -1');
  return Number(value) as 0 | -1;
};

/** A count: an integer ≥ 1. */
const positive = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be an integer ≥ 1, found "${value}"`);
  return n;
};

/** A bound for 'auto': a finite number ≥ 0. */
const bound = (what: string) => (value: string) => {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${what} must be a number ≥ 0, found "${value}"`);
  return n;
};

const sparsity = (value: string): number => {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError(`--prune must be a number from 0 to below 1, found "${value}"`);
  return n;
};

/** A cosine target: a number in (0, 1]. */
const cosineTarget = (value: string) => {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError(`--min-output-cosine must be a number in (0, 1], found "${value}"`);
  return n;
};

const workerCount = (value: string): number | 'auto' => {
  if (value === 'auto') return value;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`--workers must be a whole number or auto, found "${value}"`);
  return n;
};

/** The default target of --calibrate. */
const DEFAULT_MIN_OUTPUT_COSINE = 0.999;

interface PackFlags {
  output: string; quantize: QuantizeMode; channelAxis?: 0 | -1; maxError?: number; quality?: number; prune?: number; sparse: boolean; entropy: boolean; json?: boolean;
  calibrate?: true | string[]; minOutputCosine?: number; shardBytes?: number; workers?: number | 'auto';
  encryptKeyFile?: string; passphraseFile?: string; publicIndex?: boolean;
}

/** Secret key and passphrase files, for the commands that read archives. */
interface SecretFlags { keyFile?: string; passphraseFile?: string }

/** pack's --encrypt-key-file / --passphrase-file / --public-index as pack()'s encrypt. */
function encryptOf(o: PackFlags): EncryptOptions | undefined {
  const secret = secretOf({ keyFile: o.encryptKeyFile, passphraseFile: o.passphraseFile }, '--encrypt-key-file');
  if (o.publicIndex && secret === undefined) throw new TensorzipError('ARGUMENT', '--public-index goes with --encrypt-key-file or --passphrase-file');
  return secret && { ...secret, publicIndex: o.publicIndex };
}

async function calibratePack(input: string, read: ReturnType<typeof readInput>, o: PackFlags): Promise<{ file: Uint8Array; calibration: CalibrationReport }> {
  if (read.model === undefined) throw new TensorzipError('ARGUMENT', `--calibrate: ${input} is not a whole model (a .onnx, or a TF.js model.json)`);
  if (o.maxError !== undefined || o.quality !== undefined) throw new TensorzipError('ARGUMENT', '--calibrate chooses each tensor\'s setting: --max-error and --quality do not go with it');
  const framework = (await loadFramework('onnx' in read.model ? 'onnx' : 'tfjs-graph', 'pack --calibrate'))!;
  const { bytes, report } = await calibrate(read.model, {
    framework, minOutputCosine: o.minOutputCosine ?? DEFAULT_MIN_OUTPUT_COSINE, inputs: readSampleInputs(o.calibrate === true ? [] : o.calibrate!),
    channelAxis: o.channelAxis, sparse: o.sparse, entropy: o.entropy, encrypt: encryptOf(o),
  });
  return { file: bytes, calibration: report };
}

/** pack --shard-bytes: the tensors streamed into shards beside the shard index `<name>.tzip.json`; a whole model's
 *  other files (model.json, the ONNX graph) go into the first shard. */
async function packShards(input: string, read: ReturnType<typeof readInput>, o: PackFlags & { shardBytes: number }): Promise<void> {
  if (!o.output.endsWith('.tzip.json')) throw new TensorzipError('ARGUMENT', `--shard-bytes writes a shard index: -o <name>.tzip.json, found ${o.output}`);
  if (o.calibrate !== undefined) throw new TensorzipError('ARGUMENT', '--shard-bytes and --calibrate do not go together');
  if (o.workers !== undefined) throw new TensorzipError('ARGUMENT', '--shard-bytes and --workers do not go together (shards are encoded on this thread)');
  const folder = dirname(o.output);
  const { tensors, options: { entries = {}, onProgress: _, ...options } } = read.packInput(packOptionsOf(o));
  // Each shard is held until it is complete (at most about shardBytes), then written atomically.
  const writer = createShardedWriter((path) => {
    const parts: Uint8Array[] = [];
    return { write: (b: Uint8Array) => void parts.push(b.slice()), close: () => writeFileAtomic(join(folder, path), concatBytes(parts)) };
  }, { ...options, shardBytes: o.shardBytes, name: basename(o.output, '.tzip.json') });
  for (const [name, entry] of Object.entries(entries)) await writer.addEntry(name, entry.data, { mediaType: entry.mediaType });
  const names = Object.keys(tensors);
  const bar = progress('pack', Boolean(o.json));
  for (const [i, name] of names.entries()) {
    await writer.add(name, tensors[name]!);
    bar.update(i + 1, names.length);
  }
  const index = await writer.finish();
  bar.stop();
  writeFileAtomic(o.output, index);
  const shards = (JSON.parse(new TextDecoder().decode(index)) as { shards: { bytes: number }[] }).shards;
  const outputBytes = shards.reduce((n, s) => n + s.bytes, 0);
  const summary = { input, output: o.output, tensors: names.length, shards: shards.length, inputBytes: read.bytes, outputBytes, ratio: read.bytes / outputBytes };
  process.stdout.write(o.json ? `${JSON.stringify(summary)}\n` : `${o.output}: ${names.length} tensors in ${shards.length} shards, ${read.bytes} → ${outputBytes} bytes (${summary.ratio.toFixed(2)}x)\n`);
}

/** pack()'s options from the command's flags. */
const packOptionsOf = (o: PackFlags): PackOptions => ({
  quantize: o.quantize, channelAxis: o.channelAxis, maxAbsError: o.maxError, quality: o.quality, prune: o.prune === undefined ? undefined : { sparsity: o.prune }, sparse: o.sparse, entropy: o.entropy,
  encrypt: encryptOf(o),
});

const concatBytes = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
};

async function packCommand(input: string, o: PackFlags): Promise<void> {
  const read = readInput(input);
  if (o.shardBytes !== undefined) return packShards(input, read, { ...o, shardBytes: o.shardBytes });
  if (o.minOutputCosine !== undefined && o.calibrate === undefined) throw new TensorzipError('ARGUMENT', '--min-output-cosine is the target of --calibrate');
  if (o.workers !== undefined && o.calibrate !== undefined) throw new TensorzipError('ARGUMENT', '--calibrate and --workers do not go together');
  let file: Uint8Array;
  let calibration: CalibrationReport | undefined;
  if (o.calibrate !== undefined) {
    ({ file, calibration } = await calibratePack(input, read, o));
  } else {
    const bar = progress('pack', Boolean(o.json));
    const { tensors, options } = read.packInput({ ...packOptionsOf(o), workers: o.workers, onProgress: bar.update });
    file = await pack(tensors, options);
    bar.stop();
  }
  writeFileAtomic(o.output, file);
  const inputBytes = read.bytes;
  const tensors = (await open(file, { decrypt: encryptOf(o) })).tensors.length;
  const warnings = file.length > inputBytes ? [`${o.output} (${file.length} bytes) is larger than its input (${inputBytes} bytes)`] : [];
  const summary = { input, output: o.output, tensors, inputBytes, outputBytes: file.length, ratio: inputBytes / file.length, warnings, ...(calibration ? { calibration } : {}) };
  for (const w of warnings) process.stderr.write(o.json ? `${JSON.stringify({ warning: w })}\n` : `tensorzip: warning: ${w}\n`);
  process.stdout.write(o.json ? `${JSON.stringify(summary)}\n` : `${o.output}: ${summary.tensors} tensors, ${inputBytes} → ${file.length} bytes (${summary.ratio.toFixed(2)}x)\n`);
  if (calibration && !o.json) printCalibration(calibration, o.minOutputCosine ?? DEFAULT_MIN_OUTPUT_COSINE);
}

async function unpackCommand(input: string, o: { output: string; json?: boolean } & SecretFlags): Promise<void> {
  const archive = await open(readFile(input), { decrypt: secretOf(o) });
  if (isTfjsOutput(o.output)) {
    writeTfjsModel(o.output, await tfjs.unpack(archive));
  } else if (isOnnxOutput(o.output)) {
    await writeOnnxModel(o.output, archive);
  } else {
    const bar = progress('unpack', Boolean(o.json));
    const tensors = new Map<string, TensorInput>();
    for (const [i, t] of archive.tensors.entries()) {
      tensors.set(t.name, await archive.get(t.name));
      bar.update(i + 1, archive.tensors.length);
    }
    bar.stop();
    writeOutput(o.output, tensors, { ...archive.metadata });
  }
  const summary = { input, output: o.output, tensors: archive.tensors.length };
  process.stdout.write(o.json ? `${JSON.stringify(summary)}\n` : `${o.output}: ${summary.tensors} tensors\n`);
}

async function inspectCommand(input: string, o: { json?: boolean } & SecretFlags): Promise<void> {
  const archive = await open(readFile(input), { decrypt: secretOf(o) });
  const { rows, total } = inspectRows(archive.tensors);
  if (o.json) process.stdout.write(`${JSON.stringify({ tensors: rows, total, entries: archive.entries, model: archive.model, metadata: archive.metadata })}\n`);
  else printTable(rows, total, archive.entries, archive.model);
}

async function verifyCommand(input: string, o: { json?: boolean; publicKey?: string; signature?: string } & SecretFlags): Promise<void> {
  if (o.signature !== undefined && o.publicKey === undefined) throw new TensorzipError('ARGUMENT', '--signature goes with --public-key');
  const decrypt = secretOf(o);
  // With a public key, the signature (beside the file, or --signature) is checked first and each block as read.
  const archive = o.publicKey === undefined ? await open(readFile(input), { decrypt })
    : await open(input, { publicKey: readKey(o.publicKey), signature: o.signature === undefined ? undefined : readFile(o.signature), decrypt });
  const bar = progress('verify', Boolean(o.json));
  const count = archive.tensors.length + archive.entries.length;
  for (const [i, t] of archive.tensors.entries()) {
    await archive.get(t.name);
    bar.update(i + 1, count);
  }
  for (const [i, e] of archive.entries.entries()) {
    await archive.getEntry(e.name);
    bar.update(archive.tensors.length + i + 1, count);
  }
  bar.stop();
  const entries = archive.entries.length > 0 ? ` and ${archive.entries.length} entries` : '';
  const signed = o.publicKey !== undefined;
  process.stdout.write(o.json ? `${JSON.stringify({ input, ok: true, tensors: archive.tensors.length, entries: archive.entries.length, signature: signed ? 'verified' : 'not checked', encryption: decrypt ? 'authenticated' : 'none' })}\n`
    : `${input}: ok, ${archive.tensors.length} tensors${entries} verified${signed ? ', signature verified' : ''}${decrypt ? ', decrypted and authenticated' : ''}\n`);
}

interface CompareFlags { minSqnr?: number; json?: boolean; inputs?: string[]; minOutputCosine?: number; outputs: boolean; keyFile?: string; passphraseFile?: string }

/** The framework for the archive's model, or null when its outputs are not compared: --no-outputs, a model kind
 *  that does not run, or a framework not installed when no output flag asked for it (a warning then). */
async function compareFramework(kind: string | undefined, o: CompareFlags): Promise<Framework | null> {
  const asked = o.inputs !== undefined || o.minOutputCosine !== undefined;
  if (!o.outputs) {
    if (asked) throw new TensorzipError('ARGUMENT', '--no-outputs does not go with --inputs or --min-output-cosine');
    return null;
  }
  try {
    const framework = await loadFramework(kind, 'compare (the outputs)');
    if (framework === null && asked) throw new TensorzipError('UNSUPPORTED', `compare --inputs / --min-output-cosine: the archive holds ${kind === undefined ? 'no model' : `a model of kind ${kind}`}; outputs are compared for ONNX and TF.js graph models`);
    return framework;
  } catch (err) {
    if (asked || !isTensorzipError(err, 'UNSUPPORTED')) throw err;
    process.stderr.write(o.json ? `${JSON.stringify({ warning: `${err.message}; outputs not compared` })}\n` : `tensorzip: warning: ${err.message}; outputs not compared\n`);
    return null;
  }
}

/** Returns whether the archive holds the original's tensors, each at or above `minSqnr`, and its outputs meet
 *  `minOutputCosine`. */
async function compareCommand(original: string, input: string, o: CompareFlags): Promise<boolean> {
  const tensors = readInput(original).tensors();
  const archive = await open(readFile(input), { decrypt: secretOf(o) });
  const framework = await compareFramework(archive.model?.kind, o);
  const inputs = o.inputs === undefined ? undefined : readSampleInputs(o.inputs);
  const bar = progress('compare', Boolean(o.json));
  const report = await compare(tensors, archive, { onProgress: bar.update, ...(framework ? { framework, inputs } : {}) });
  bar.stop();
  const below = belowSqnr(report, o.minSqnr);
  const outputsOk = o.minOutputCosine === undefined || (report.outputs != null && report.outputs.minCosine >= o.minOutputCosine);
  const ok = below.length === 0 && sameTensors(report) && outputsOk;
  if (o.json) process.stdout.write(`${JSON.stringify({ original, archive: input, ok, ...report, belowMinSqnr: below })}\n`);
  else printComparison(report, below, o.minSqnr, o.minOutputCosine);
  return ok;
}

/**
 * Runs the command line on `argv` (without `node` and the script) and returns the exit code.
 * @example
 * process.exitCode = await main(['inspect', 'model.tzip', '--json'], '0.1.0');
 */
export async function main(argv: string[], version: string): Promise<number> {
  const json = argv.includes('--json');
  const program = new Command('tensorzip').description('Pack ML tensors into .tzip containers and back.').version(version).exitOverride()
    // With --json, commander's own usage messages are replaced by the JSON error below.
    .configureOutput({ writeErr: (s) => json || process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  program.command('pack').argument('<input>', '.safetensors, .npy, .gguf, a TF.js model.json with its shards beside it, or a .onnx with its external data files beside it (whole models)')
    .requiredOption('-o, --output <file>', 'the .tzip to write')
    .option('-q, --quantize <mode>', 'lossless | fp16 | bf16 | int8 | int4 | auto (float32 tensors; GGUF and TF.js quantized tensors keep their codes, but for TF.js float16 under int8 and int4)', 'auto')
    .option('--channel-axis <axis>', 'one channel axis for all per-channel scales, 0 or -1 (default: per tensor, from the model graph or the data)', channelAxis)
    .option('--max-error <x>', "'auto': largest |x − x̂| allowed (≥ 0)", bound('--max-error'))
    .option('--quality <db>', "'auto': the SQNR each quantized tensor's channels keep on average, in dB, for a tensor of 16,384 elements (default 38; lower is smaller)", bound('--quality'))
    .option('--prune <sparsity>', 'set this share (0 to below 1) of each quantizable tensor\'s smallest weights to zero first', sparsity)
    .option('--no-sparse', 'never store tensors as bitmask + values')
    .option('--no-entropy', 'LZ4 stages only, no Huffman codes or palettes: more bytes, a 2–3x faster decode')
    .option('--calibrate [inputs...]', 'whole ONNX / TF.js graph models: search each tensor\'s setting (int4, auto at 26–50 dB, fp16, lossless) with the framework (onnxruntime-node, or @tensorflow/tfjs-core + tfjs-backend-cpu + tfjs-converter) so the outputs meet --min-output-cosine on these sample inputs (.npy, name=file.npy or named by the file; the rest generated)')
    .option('--min-output-cosine <x>', `--calibrate's target: every output's cosine against the original's (default ${DEFAULT_MIN_OUTPUT_COSINE})`, cosineTarget)
    .option('--workers <n>', 'encode tensors of 64 KiB and more on n worker threads, or auto (one per core): the same file, sooner', workerCount)
    .option('--shard-bytes <n>', 'write shards of about n bytes beside a shard index, -o <name>.tzip.json (open() takes the index; a whole model\'s graph goes in the first shard)', positive('--shard-bytes'))
    .option('--encrypt-key-file <file>', 'encrypt with this secret key (keygen --symmetric\'s JWK, or 32 raw bytes): AES-256-GCM per chunk (docs/SECURITY.md)')
    .option('--passphrase-file <file>', 'encrypt with the passphrase in this file (PBKDF2-HMAC-SHA256, 600,000 iterations; one final line break is not part of it)')
    .option('--public-index', 'with encryption: leave tensor names, shapes and sizes readable (still authenticated)')
    .option('--json', 'print a JSON summary')
    .action(packCommand);
  const keyFile = '--key-file <file>';
  const keyFileHelp = 'the secret key of an encrypted archive (JWK or 32 raw bytes)';
  const passphraseFile = '--passphrase-file <file>';
  const passphraseFileHelp = 'the passphrase of an encrypted archive, in a file';
  program.command('unpack').argument('<input>', 'a .tzip file')
    .requiredOption('-o, --output <path>', 'out.safetensors, out.npy (one tensor), model.json (TF.js, shards beside it), model.onnx or a directory')
    .option(keyFile, keyFileHelp).option(passphraseFile, passphraseFileHelp)
    .option('--json', 'print a JSON summary')
    .action(unpackCommand);
  program.command('inspect').argument('<input>', 'a .tzip file').option(keyFile, keyFileHelp).option(passphraseFile, passphraseFileHelp)
    .option('--json', 'print JSON').action(inspectCommand);
  program.command('verify').argument('<input>', 'a .tzip file')
    .option('--public-key <file>', 'check the file\'s signature with this public key (JWK or PEM): every byte against what was signed')
    .option('--signature <file>', 'the signature (default: <input>.sig)')
    .option(keyFile, `${keyFileHelp}: every chunk authenticated`).option(passphraseFile, passphraseFileHelp)
    .option('--json', 'print JSON').action(verifyCommand);
  program.command('keygen').description('a new signing key pair, written to <name>.private.jwk (owner-only) and <name>.public.jwk, or with --symmetric a secret key for encryption, <name>.key.jwk (owner-only); never printed')
    .requiredOption('-o, --output <name>', 'the key files\' path without extension')
    .option('--algorithm <name>', 'ed25519 | p256', 'ed25519')
    .option('--symmetric', 'a 256-bit secret key for pack --encrypt-key-file and --key-file (AES-256-GCM archives)')
    .option('--json', 'print JSON (paths, never keys)').action(keygenCommand);
  program.command('sign').argument('<input>', 'a .tzip file').description('a detached signature of the file (docs/SECURITY.md)')
    .requiredOption('--key <file>', 'the private key (JWK or PKCS#8 PEM)')
    .option('-o, --output <file>', 'the signature file (default: <input>.sig)')
    .option('--json', 'print JSON').action(signCommand);
  let different = false;
  program.command('compare').description("per tensor: how the .tzip stores the original's tensors (bytes, bits/weight) and their error against it (max error, RMSE, SQNR); for ONNX and TF.js graph models, with the framework installed, the outputs of both models on sample inputs (cosine, max abs error, argmax agreement)")
    .argument('<original>', 'the original model, as pack reads it: .safetensors, .npy, .gguf, a TF.js model.json or a .onnx')
    .argument('<input>', 'a .tzip file')
    .option('--min-sqnr <db>', 'exit code 1 when a tensor has a lower SQNR, in dB (≥ 0)', bound('--min-sqnr'))
    .option('--inputs <files...>', 'sample inputs as .npy files (name=file.npy, or named by the file); inputs left out are generated from the model (seeded: floats in [0, 1), integers 0, symbolic dimensions 1)')
    .option('--min-output-cosine <x>', 'exit code 1 when an output\'s cosine against the original\'s is lower', cosineTarget)
    .option('--no-outputs', 'compare tensors only, not outputs')
    .option(keyFile, keyFileHelp).option(passphraseFile, passphraseFileHelp)
    .option('--json', 'print JSON (an exact tensor has sqnrDb null)')
    .action(async (original: string, input: string, o: CompareFlags) => { different = !(await compareCommand(original, input, o)); });

  const dataset = program.command('dataset').description('sample datasets: pack tables or arrays into shards, inspect them');
  dataset.command('pack').argument('<inputs...>', '.npy files (one field each, the sample dimension first), or one .csv, .tsv, .jsonl or .json (an array of records)')
    .requiredOption('-o, --output <file>', 'data.tzip (one file) or name.json (a manifest, with shards name-00000.tzip, … beside it)')
    .option('--shard-bytes <n>', 'with a .json output: start a new shard past this many bytes (default 1 GiB)', positive('--shard-bytes'))
    .option('--group-samples <n>', 'samples per group, the unit one read decodes (default: 1 MiB of the widest field)', positive('--group-samples'))
    .option('--quantize <field=mode>', 'a float32 field\'s quantize mode (lossless by default); repeat per field', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--json', 'print a JSON summary')
    .action(datasetPack);
  dataset.command('inspect').argument('<input>', 'a dataset .tzip or a manifest .json').option('--json', 'print JSON').action(datasetInspect);

  const report = (code: string, message: string) =>
    process.stderr.write(json ? `${JSON.stringify({ ok: false, code, message })}\n` : `tensorzip: ${message}\n`);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return different ? EXIT_DIFFERENT : 0;
  } catch (err) {
    if (err instanceof IoError) {
      report('IO', err.message);
      return EXIT_IO;
    }
    if (isTensorzipError(err, 'IO', 'NOT_FOUND', 'TIMEOUT', 'ABORTED', 'CHANGED')) {
      report(err.code, err.message); // the file could not be read (whole): not damage
      return EXIT_IO;
    }
    if (isTensorzipError(err, 'ARGUMENT')) {
      report('ARGUMENT', err.message);
      return EXIT_USAGE;
    }
    if (isTensorzipError(err)) {
      report(err.code, err.message);
      return EXIT_DAMAGED;
    }
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0. Otherwise commander has printed its message (or, with
      // --json, left it to us).
      if (err.exitCode === 0) return 0;
      if (json) report('ARGUMENT', err.message.replace(/^error: /, ''));
      return EXIT_USAGE;
    }
    throw err;
  }
}

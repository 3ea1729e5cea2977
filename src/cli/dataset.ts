// `tensorzip dataset pack` and `tensorzip dataset inspect`: datasets from .npy columns, CSV, JSON Lines or a JSON
// array of records, written as one .tzip or as shards beside a manifest (.json).
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { createDatasetWriter, npy, open, openDataset, samplesFrom, TensorzipError, type DatasetFieldInput, type ImportedSamples, type QuantizeMode } from '../index';
import { IoError, readFile, writeFileAtomic } from './files';
import { progress } from './progress';

const text = (path: string) => new TextDecoder().decode(readFile(path));

/** The samples of the inputs: several .npy columns (named by their files), or one table. */
export function readSamples(inputs: string[]): ImportedSamples {
  const kinds = new Set(inputs.map((p) => extname(p).toLowerCase()));
  if (kinds.size === 1 && kinds.has('.npy')) {
    return samplesFrom.columns(Object.fromEntries(inputs.map((p) => [basename(p, extname(p)), npy.read(readFile(p))])));
  }
  if (inputs.length !== 1) throw new TensorzipError('ARGUMENT', 'dataset pack: give .npy files (one per field), or one .csv, .jsonl or .json file');
  const [input] = inputs;
  const kind = extname(input).toLowerCase();
  if (kind === '.csv' || kind === '.tsv') {
    const table = text(input);
    try {
      return samplesFrom.records(parseCsv(table, { columns: true, cast: true, skip_empty_lines: true, delimiter: kind === '.tsv' ? '\t' : ',' }));
    } catch (cause) {
      if (cause instanceof TensorzipError) throw cause;
      throw new TensorzipError('CORRUPT', `${input}: ${(cause as Error).message}`, { cause });
    }
  }
  const json = (line: string, where: string) => {
    try {
      return JSON.parse(line);
    } catch (cause) {
      throw new TensorzipError('CORRUPT', `${where}: not JSON (${(cause as Error).message})`, { cause });
    }
  };
  if (kind === '.jsonl' || kind === '.ndjson') return samplesFrom.records(text(input).split('\n').flatMap((line, i) => (line.trim() === '' ? [] : [json(line, `${input} line ${i + 1}`)])));
  if (kind === '.json') return samplesFrom.records(json(text(input), input));
  throw new TensorzipError('ARGUMENT', `dataset pack: ${input}: expected .npy, .csv, .tsv, .jsonl or .json`);
}

export interface DatasetPackFlags {
  output: string;
  shardBytes?: number;
  groupSamples?: number;
  quantize: string[];
  json?: boolean;
}

/** `--quantize image=int8`: a float32 field's mode. */
function quantizeOf(flags: string[], schema: DatasetFieldInput[]): Map<string, QuantizeMode> {
  const modes = new Map<string, QuantizeMode>();
  for (const flag of flags) {
    const [field, mode] = flag.split('=');
    if (!schema.some((f) => f.name === field) || mode === undefined) throw new TensorzipError('ARGUMENT', `dataset pack --quantize ${flag}: expected <field>=<mode> with a field of ${schema.map((f) => f.name).join(', ')}`);
    modes.set(field, mode as QuantizeMode);
  }
  return modes;
}

export async function datasetPack(inputs: string[], o: DatasetPackFlags): Promise<void> {
  const imported = readSamples(inputs);
  const modes = quantizeOf(o.quantize, imported.schema);
  const schema = imported.schema.map((f) => (modes.has(f.name) ? { ...f, quantize: modes.get(f.name) } : f));
  const sharded = extname(o.output).toLowerCase() === '.json';
  if (!sharded && o.shardBytes !== undefined) throw new TensorzipError('ARGUMENT', 'dataset pack: --shard-bytes needs a manifest output (-o name.json)');
  // Each file is written under a temporary name and renamed once the dataset is complete.
  const written: { temp: string; path: string }[] = [];
  const sinkFor = (path: string) => {
    const temp = join(dirname(path), `.tensorzip-${process.pid}-${written.length}.tmp`);
    written.push({ temp, path });
    return createWriteStream(temp, { flags: 'wx' });
  };
  const stem = basename(o.output, extname(o.output));
  const target = sharded
    ? (n: number) => {
      const path = `${stem}-${String(n).padStart(5, '0')}.tzip`;
      return { path, sink: sinkFor(join(dirname(o.output), path)) };
    }
    : sinkFor(o.output);
  const bar = progress('dataset pack', Boolean(o.json));
  try {
    const writer = createDatasetWriter(target, { schema, metadata: imported.metadata, groupSamples: o.groupSamples, shardBytes: sharded ? o.shardBytes ?? 1 << 30 : undefined, path: basename(o.output) });
    let done = 0;
    for (const sample of imported.samples) {
      await writer.add(sample);
      if (++done % 1000 === 0) bar.update(done, imported.length);
    }
    const manifest = await writer.finish();
    bar.stop();
    for (const { temp, path } of written) renameSync(temp, path);
    if (sharded) writeFileAtomic(o.output, new TextEncoder().encode(`${JSON.stringify(manifest, null, 1)}\n`));
    const outputBytes = manifest.shards.reduce((n, s) => n + s.bytes, 0);
    const summary = { output: o.output, samples: manifest.samples, fields: manifest.fields.map((f) => f.name), shards: manifest.shards.length, outputBytes };
    process.stdout.write(o.json ? `${JSON.stringify(summary)}\n` : `${o.output}: ${summary.samples} samples of ${summary.fields.join(', ')} in ${summary.shards} shard${summary.shards === 1 ? '' : 's'}, ${outputBytes} bytes\n`);
  } catch (err) {
    bar.stop();
    for (const { temp } of written) rmSync(temp, { force: true });
    if (err instanceof Error && 'code' in err && typeof (err as NodeJS.ErrnoException).syscall === 'string') throw new IoError(`cannot write ${o.output}: ${err.message}`);
    throw err;
  }
}

export async function datasetInspect(input: string, o: { json?: boolean }): Promise<void> {
  const sharded = extname(input).toLowerCase() === '.json';
  const ds = await openDataset(sharded ? new Uint8Array(readFile(input)) : readFile(input), sharded ? { shardSource: (path) => readFile(join(dirname(input), path)) } : {});
  const shardFiles = sharded ? (JSON.parse(text(input)).shards as { path: string }[]).map((s) => join(dirname(input), s.path)) : [input];
  const perField = new Map(ds.fields.map((f) => [f.name, { encodedBytes: 0, decodedBytes: 0, pipelines: new Set<string>() }]));
  let fileBytes = 0;
  for (const file of shardFiles) {
    const bytes = readFile(file);
    fileBytes += bytes.length;
    for (const t of (await open(bytes)).tensors) {
      const field = perField.get(t.name.split('/')[1]);
      if (!field) continue;
      field.encodedBytes += t.encodedBytes;
      field.decodedBytes += t.decodedBytes;
      if (t.name.startsWith('fields/')) field.pipelines.add([t.storedDtype, ...t.pipeline.map((s) => s.codec)].join('+'));
    }
  }
  const fields = ds.fields.map((f) => {
    const s = perField.get(f.name)!;
    return { name: f.name, dtype: f.dtype, shape: f.shape, encodedBytes: s.encodedBytes, decodedBytes: s.decodedBytes, ratio: s.encodedBytes ? s.decodedBytes / s.encodedBytes : null, pipelines: [...s.pipelines] };
  });
  const summary = { input, samples: ds.length, shards: shardFiles.length, fileBytes, fields, metadata: ds.metadata };
  if (o.json) return void process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.stdout.write(`${input}: ${ds.length} samples, ${shardFiles.length} shard${shardFiles.length === 1 ? '' : 's'}, ${fileBytes} bytes\n`);
  for (const f of fields) {
    const shape = `[${f.shape.map((d) => d ?? '*').join(', ')}]`;
    process.stdout.write(`  ${f.name.padEnd(16)} ${f.dtype.padEnd(8)} ${shape.padEnd(14)} ${String(f.decodedBytes).padStart(12)} → ${String(f.encodedBytes).padStart(12)} bytes (${f.ratio === null ? '-' : `${f.ratio.toFixed(2)}x`})  ${f.pipelines.join(', ')}\n`);
  }
}

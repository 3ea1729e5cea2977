// `tensorzip compare`: what a .tzip did to the original's tensors, one row each, then the totals and the names found
// on one side only. In the table an exact tensor's SQNR is ∞; in JSON it is null (JSON has no Infinity).
import type { Comparison } from '../index';

/** Tensors below `minSqnrDb` (NaN included), by name. */
export function belowSqnr(report: Comparison, minSqnrDb: number | undefined): string[] {
  return minSqnrDb === undefined ? [] : report.tensors.filter((t) => !(t.sqnrDb >= minSqnrDb)).map((t) => t.name);
}

/** Whether the archive holds exactly the original's tensors, with their shapes. */
export function sameTensors(report: Comparison): boolean {
  return report.onlyInOriginal.length + report.onlyInArchive.length + report.shapeMismatches.length === 0;
}

const error = (x: number) => (x === 0 ? '0' : x.toExponential(2));
const sqnr = (x: number) => (x === Infinity ? '∞' : x.toFixed(1));

export function printComparison(report: Comparison, below: readonly string[], minSqnrDb: number | undefined): void {
  const { total } = report;
  const table = [
    ['tensor', 'dtype', 'shape', 'stored', 'bytes', 'bits/weight', 'max error', 'RMSE', 'SQNR dB'],
    ...report.tensors.map((t) => [t.name, t.dtype, `[${t.shape.join(', ')}]`, t.storedDtype, String(t.encodedBytes), t.bitsPerWeight.toFixed(2), error(t.maxAbsError), error(t.rmse), sqnr(t.sqnrDb)]),
    [`total (${total.tensors} tensors)`, '', `${total.elements} elements`, '', String(total.encodedBytes), total.bitsPerWeight.toFixed(2), error(total.maxAbsError), '', `${sqnr(total.sqnrDb)} (lowest ${sqnr(total.minSqnrDb)})`],
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const lines = table.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  if (report.onlyInOriginal.length > 0) lines.push(`only in the original: ${report.onlyInOriginal.join(', ')}`);
  if (report.onlyInArchive.length > 0) lines.push(`only in the archive: ${report.onlyInArchive.join(', ')}`);
  for (const m of report.shapeMismatches) lines.push(`shapes differ: ${m.name} [${m.originalShape.join(', ')}] in the original, [${m.archiveShape.join(', ')}] in the archive`);
  if (below.length > 0) lines.push(`below --min-sqnr ${minSqnrDb} dB: ${below.join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

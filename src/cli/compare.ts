// `tensorzip compare`: what a .tzip did to the original's tensors, one row each, then the totals and the names found
// on one side only, then the model's outputs when they were compared. In the table an exact tensor's SQNR is ∞; in
// JSON it is null (JSON has no Infinity). Also `pack --calibrate`'s report.
import type { CalibrationReport, Comparison, OutputComparison } from '../index';

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

const share = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

function outputLines(outputs: readonly OutputComparison[]): string[] {
  return outputs.map((o) => `output ${o.name} [${o.shape.join(', ')}]: cosine ${o.cosine.toFixed(6)}, max abs error ${error(o.maxAbsError)}, argmax agreement ${share(o.argmaxAgreement)}`);
}

export function printComparison(report: Comparison, below: readonly string[], minSqnrDb: number | undefined, minOutputCosine: number | undefined): void {
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
  if (report.outputs === null) lines.push('outputs not compared: the archive and the original hold different tensors');
  if (report.outputs) {
    const fed = report.outputs.inputs.map((i) => `${i.name} ${i.dtype} [${i.shape.join(', ')}]${i.generated ? ' (generated)' : ''}`);
    lines.push(`inputs: ${fed.join(', ')}`, ...outputLines(report.outputs.outputs));
    if (minOutputCosine !== undefined && !(report.outputs.minCosine >= minOutputCosine)) lines.push(`below --min-output-cosine ${minOutputCosine}: cosine ${report.outputs.minCosine}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function printCalibration(report: CalibrationReport, target: number): void {
  const settings = new Map<string, number>();
  for (const { setting } of report.tensors) {
    const name = setting.quality === undefined ? setting.quantize ?? 'auto' : `${setting.quantize ?? 'auto'} ${setting.quality} dB`;
    settings.set(name, (settings.get(name) ?? 0) + 1);
  }
  const lines = [
    `calibrated: ${report.tensors.length} tensors searched (${[...settings].map(([k, n]) => `${n} ${k}`).join(', ')}), lowest output cosine ${report.minOutputCosine.toFixed(6)} (target ${target}); ${report.runs} framework runs, ${report.seconds.toFixed(1)} s`,
    ...outputLines(report.outputs),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

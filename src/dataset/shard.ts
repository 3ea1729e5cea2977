// One shard of a dataset: opened on first use, its descriptor and tensors checked against what the manifest says,
// and its groups decoded into the values of each field.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import type { Archive, TensorInfo } from '../format/archive';
import type { TensorArray } from '../format/dtypes';
import { checkSameFields, DESCRIPTOR_ENTRY, fieldTensorName, parseDescriptor, shapesTensorName, variableDims, type DatasetField } from './schema';

/** What a shard should be, from the manifest (or, for a dataset of one file, from its own descriptor). */
export interface ShardPlan {
  name: string;
  samples: number;
  groupSamples: number;
  /** The file size the manifest gives, checked when the shard is opened; null when there is no manifest. */
  bytes: number | null;
}

/** One field of one decoded group: the values, and for a variable field where each sample starts and its shape. */
export interface GroupValues {
  data: TensorArray;
  /** Variable fields: sample i's values are data[starts[i] .. starts[i + 1]). */
  starts?: Float64Array;
  /** Variable fields: sample i's completed shape. */
  shapes?: number[][];
}

export type OpenShard = () => Promise<{ archive: Archive; size: number }>;

export class Shard {
  private opened: Promise<Map<string, TensorInfo>> | null = null;
  private archive: Archive | null = null;

  constructor(private readonly plan: ShardPlan, private readonly fields: readonly DatasetField[], private readonly openShard: OpenShard) {}

  groupSize(group: number): number {
    const { samples, groupSamples } = this.plan;
    return Math.min(groupSamples, samples - group * groupSamples);
  }

  get groups(): number {
    return Math.ceil(this.plan.samples / this.plan.groupSamples);
  }

  private open(): Promise<Map<string, TensorInfo>> {
    this.opened ??= this.check();
    return this.opened;
  }

  private async check(): Promise<Map<string, TensorInfo>> {
    const { name, samples, groupSamples, bytes } = this.plan;
    const { archive, size } = await this.openShard();
    if (bytes !== null && size !== bytes) throw new TensorzipError('CORRUPT', `dataset shard ${describeValue(name)}: ${size} bytes, the manifest says ${bytes}`);
    if (!archive.entries.some((e) => e.name === DESCRIPTOR_ENTRY)) throw new TensorzipError('CORRUPT', `dataset shard ${describeValue(name)}: no ${DESCRIPTOR_ENTRY} entry (not a dataset shard)`);
    const descriptor = parseDescriptor(await archive.getEntry(DESCRIPTOR_ENTRY), `dataset shard ${describeValue(name)} ${DESCRIPTOR_ENTRY}`);
    checkSameFields(this.fields, descriptor.fields, `dataset shard ${describeValue(name)}`);
    if (descriptor.samples !== samples || descriptor.groupSamples !== groupSamples) {
      throw new TensorzipError('CORRUPT', `dataset shard ${describeValue(name)}: ${descriptor.samples} samples in groups of ${descriptor.groupSamples}, the manifest says ${samples} in groups of ${groupSamples}`);
    }
    const tensors = new Map(archive.tensors.map((t) => [t.name, t]));
    const expect = (tensorName: string, dtype: string, shape: number[] | null) => {
      const t = tensors.get(tensorName);
      if (!t) throw new TensorzipError('CORRUPT', `dataset shard ${describeValue(name)}: no tensor ${describeValue(tensorName)}`);
      const shapeOk = shape === null ? t.shape.length === 1 : t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
      if (t.dtype !== dtype || !shapeOk) {
        throw new TensorzipError('CORRUPT', `dataset shard ${describeValue(name)}: tensor ${describeValue(tensorName)} is ${t.dtype} ${describeValue(t.shape)}, expected ${dtype} ${shape === null ? '[E]' : describeValue(shape)}`);
      }
    };
    // Each group has a tensor per field: a shard that claims more groups than it has tensors is damaged (and is
    // caught before a loop over its claim).
    if (this.groups * this.fields.length > tensors.size) {
      throw new TensorzipError('CORRUPT', `dataset shard ${describeValue(name)}: ${samples} samples in groups of ${groupSamples} need ${this.groups * this.fields.length} tensors, the file has ${tensors.size}`);
    }
    for (let g = 0; g < this.groups; g++) {
      const n = this.groupSize(g);
      for (const field of this.fields) {
        const v = variableDims(field);
        expect(fieldTensorName(field.name, g), field.dtype, v ? null : [n, ...field.shape as number[]]);
        if (v) expect(shapesTensorName(field.name, g), 'int32', [n, v]);
      }
    }
    this.archive = archive;
    return tensors;
  }

  /** Stops the shard's workers, if it has an archive open with some. */
  close(): void {
    this.archive?.close();
  }

  /** Decodes group `group` of the given fields. */
  async decode(group: number, fields: readonly DatasetField[]): Promise<Map<string, GroupValues>> {
    await this.open();
    const archive = this.archive!;
    const n = this.groupSize(group);
    const out = new Map<string, GroupValues>();
    for (const field of fields) {
      const { data } = await archive.get(fieldTensorName(field.name, group));
      if (variableDims(field) === 0) {
        out.set(field.name, { data });
        continue;
      }
      const rows = (await archive.get(shapesTensorName(field.name, group))).data as Int32Array;
      const v = variableDims(field);
      const starts = new Float64Array(n + 1);
      const shapes: number[][] = [];
      for (let i = 0; i < n; i++) {
        let k = 0;
        const shape = field.shape.map((d) => (d === null ? rows[i * v + k++] : d));
        if (shape.some((d) => d < 0)) throw new TensorzipError('CORRUPT', `dataset shard ${describeValue(this.plan.name)}: a negative dimension in ${shapesTensorName(field.name, group)}`);
        shapes.push(shape);
        starts[i + 1] = starts[i] + shape.reduce((a, d) => a * d, 1);
      }
      if (starts[n] !== data.length) {
        throw new TensorzipError('CORRUPT', `dataset shard ${describeValue(this.plan.name)}: the shapes of ${describeValue(field.name)} in group ${group} hold ${starts[n]} values, the group has ${data.length}`);
      }
      out.set(field.name, { data, starts, shapes });
    }
    return out;
  }
}

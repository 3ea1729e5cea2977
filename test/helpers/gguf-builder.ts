/** A GGUF v3 file built from the format description (research notes A3.1). */
export class GgufBuilder {
  private parts: number[] = [];
  private u32 = (v: number) => this.parts.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24);
  private u64 = (v: number) => (this.u32(v % 2 ** 32), this.u32(Math.floor(v / 2 ** 32)));
  private str = (s: string) => { const b = new TextEncoder().encode(s); this.u64(b.length); this.parts.push(...b); };
  build(kv: [string, number, (b: GgufBuilder) => void][], tensors: { name: string; dims: number[]; type: number; data: Uint8Array }[], version = 3): Uint8Array {
    this.parts = [];
    this.u32(0x46554747);
    this.u32(version);
    this.u64(tensors.length);
    this.u64(kv.length);
    for (const [key, type, write] of kv) { this.str(key); this.u32(type); write(this); }
    let offset = 0;
    let end = 0;
    const offsets: number[] = [];
    for (const t of tensors) {
      this.str(t.name);
      this.u32(t.dims.length);
      t.dims.forEach((d) => this.u64(d));
      this.u32(t.type);
      offsets.push(offset);
      this.u64(offset);
      end = offset + t.data.length;
      offset = Math.ceil(end / 32) * 32;
    }
    while (this.parts.length % 32 !== 0) this.parts.push(0);
    const start = this.parts.length;
    const out = new Uint8Array(start + end);
    out.set(this.parts);
    tensors.forEach((t, i) => out.set(t.data, start + offsets[i]));
    return out;
  }
  writeU32 = (v: number) => this.u32(v);
  writeString = (s: string) => this.str(s);
  writeU64 = (v: number) => this.u64(v);
  writeBytes = (b: Uint8Array) => { for (const x of b) this.parts.push(x); };
}

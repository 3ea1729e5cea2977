// The bytes of one HTTP answer as they arrive: a read of its front is served as soon as its bytes are in, so
// getAll() decodes the first tensors while the later ones still download (rather than after the last byte).
export class ArrivingBytes {
  private bytes: Uint8Array = new Uint8Array(0);
  private filled = 0;
  private waiting: { end: number; resolve: (bytes: Uint8Array) => void }[] = [];

  /** The answer's array now holds its first `filled` bytes. A retried request starts a new array. */
  arrived(bytes: Uint8Array, filled: number): void {
    this.bytes = bytes;
    this.filled = filled;
    if (this.waiting.length === 0) return;
    this.waiting = this.waiting.filter((w) => (w.end <= filled ? (w.resolve(bytes), false) : true));
  }

  /** The answer's array when its first `end` bytes are in it already, else undefined. */
  holding(end: number): Uint8Array | undefined {
    return end <= this.filled ? this.bytes : undefined;
  }

  /** The answer's array, once its first `end` bytes are in it (pending for as long as they are not). */
  through(end: number): Promise<Uint8Array> {
    if (end <= this.filled) return Promise.resolve(this.bytes);
    return new Promise((resolve) => this.waiting.push({ end, resolve }));
  }
}

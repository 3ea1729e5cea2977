// Which ArrayBuffers code frees with transfer(0) (src/io/free-bytes.ts), where the runtime has
// ArrayBuffer.prototype.transfer; where it has not (Node 20), a stand-in detaches them as transfer does
// (structuredClone with the buffer transferred), so that a test sees the same views read as empty.

type Transfer = (this: ArrayBuffer, length?: number) => ArrayBuffer;

/** Runs `run` and returns the byte lengths of the buffers freed (transferred to length 0) meanwhile; `run` is given
 *  the list as it fills. */
export async function freedWhile(run: (freed: readonly number[]) => Promise<unknown>): Promise<number[]> {
  const proto = ArrayBuffer.prototype as ArrayBuffer & { transfer?: Transfer };
  const own = Object.getOwnPropertyDescriptor(proto, 'transfer');
  const transfer: Transfer = own?.value ?? function (this: ArrayBuffer, length?: number) {
    const moved = structuredClone(this, { transfer: [this] });
    return length === 0 ? new ArrayBuffer(0) : moved;
  };
  const freed: number[] = [];
  Object.defineProperty(proto, 'transfer', {
    configurable: true,
    writable: true,
    value: function (this: ArrayBuffer, length?: number) {
      if (length === 0) freed.push(this.byteLength);
      return transfer.call(this, length);
    },
  });
  try {
    await run(freed);
  } finally {
    if (own) Object.defineProperty(proto, 'transfer', own);
    else delete proto.transfer;
  }
  return freed;
}

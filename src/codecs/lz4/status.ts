import { KERNEL_STATUS, TensorzipError } from '../../errors';

/** Turns a negative status of lz4DecompressBlock into an error; `full` says what OUTPUT_FULL means here. */
export function blockDecodeError(status: number, where: string, full: () => TensorzipError): TensorzipError {
  switch (status) {
    case KERNEL_STATUS.TRUNCATED:
      return new TensorzipError('TRUNCATED', `${where}: the block ends inside a sequence`);
    case KERNEL_STATUS.CORRUPT:
      return new TensorzipError('CORRUPT', `${where}: a match offset is 0 or points before the start of the output`);
    case KERNEL_STATUS.OUTPUT_FULL:
      return full();
    default:
      return new TensorzipError('ARGUMENT', `${where}: the kernel refused its arguments (status ${status})`);
  }
}

/** Default cap on decompressed output, in bytes (256 MiB); raise it with `maxOutputSize`. */
export const DEFAULT_MAX_OUTPUT_SIZE = 256 * 1024 * 1024;
/** The largest output any call accepts: 2 GiB − 1, the reach of a wasm32 i32 length. */
export const MAX_OUTPUT_SIZE = 2 ** 31 - 1;
/** The largest input one LZ4 block may hold (LZ4_MAX_INPUT_SIZE). */
export const MAX_BLOCK_INPUT = 0x7e000000;
/** One LZ4 input byte decodes to at most 255 output bytes; decoded sizes beyond this bound are impossible. */
export const MAX_EXPANSION = 255;

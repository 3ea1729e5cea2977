import { TensorzipError } from '../../errors';

/** Returns `data` when it is an instance of `type`, else throws ARGUMENT naming what was found. */
export function expectArray<T>(data: unknown, type: { new (...args: never[]): T; name: string }, what: string): T {
  if (data instanceof type) return data;
  const found = data === null ? 'null' : typeof data === 'object' ? data.constructor?.name ?? 'object' : typeof data;
  throw new TensorzipError('ARGUMENT', `${what}: expected a ${type.name}, found ${found}`);
}

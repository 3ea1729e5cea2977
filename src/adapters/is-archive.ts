import type { Archive } from '../format';

/** Whether an adapter's source is an archive already open (else it is anything open() takes). */
export const isArchive = (source: unknown): source is Archive =>
  typeof (source as Archive | null)?.getEntry === 'function' && Array.isArray((source as Archive).tensors);

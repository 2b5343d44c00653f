import { createHash } from 'node:crypto';

/**
 * A name-based UUID (version 5 layout, SHA-256 truncated) so a retried command re-derives the
 * same event ids and the store deduplicates the append instead of writing it twice.
 */
export const deterministicId = (...parts: readonly string[]): string => {
  const h = createHash('sha256').update(parts.join('\u001f')).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

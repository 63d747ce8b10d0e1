import { createHash, randomUUID } from 'node:crypto';

/**
 * The id of a resource created by a request: derived from the form source and its `Idempotency-Key`
 * when there is one, random otherwise. Derived, a retry of a creation whose answer (and idempotency
 * record) was lost lands on the same id, so the store's "id not taken" condition stops a second
 * creation. A UUID in form (RFC 9562 version 8: custom, from SHA-256), like the random ones.
 */
export function idDeCreation(source: string, cle: string | undefined): string {
  if (!cle) return randomUUID();
  const h = createHash('sha256').update(`${source}\n${cle}`).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x80; // version 8
  h[8] = ((h[8] as number) & 0x3f) | 0x80; // RFC 9562 variant
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

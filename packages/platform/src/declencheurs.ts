import type { BucketKey } from './buckets';
import type { Access } from './routes';
import { PREFIXE_EXPORTS } from './s3/laureats';
import type { TableKey } from './tables';

/**
 * Functions run by an object created in a bucket rather than by a route, defined once: the CDK stack
 * that owns each (`infra/stacks/ingestion-stack.ts`) turns it into an EventBridge rule on the bucket's
 * "Object Created" events under the prefix, and the local cloud runs the same handler module on s3rver's
 * notification for an object under the same prefix. Invocations are asynchronous and one at a time
 * (reserved concurrency 1 in AWS, a queue locally): two exports are never ingested at once.
 */
export interface Declencheur {
  /** Module under `functions/` (without `.ts`), exporting `handler(event, context)`. */
  handler: string;
  description: string;
  bucket: BucketKey;
  prefixe: string;
  tables: Partial<Record<TableKey, Access>>;
  buckets: Partial<Record<BucketKey, Access>>;
}

export const declencheurs = [
  {
    handler: 'laureats/ingerer',
    description: 'Ingestion d’un export Bpifrance des lauréats déposé sous exports/',
    bucket: 'laureats',
    prefixe: PREFIXE_EXPORTS,
    tables: { laureats: 'readwrite', territoires: 'read' },
    buckets: { laureats: 'readwrite' },
  },
] as const satisfies readonly Declencheur[];

/**
 * The daily fetch of Bpifrance's latest export (EventBridge Scheduler, `infra/stacks/ingestion-stack.ts`),
 * and exactly what it may touch: the laureates' table (read then record the export's hash: GetItem, a
 * conditional PutItem) and the laureates' bucket (HeadObject, which needs GetObject and, for a 404 rather
 * than a 403, ListBucket; PutObject under `exports/`). Its endpoint's credentials are a secret of the
 * ingestion stack, granted there. Not a `declencheur`: a schedule runs it, not an object.
 */
export const recuperationBpifrance = {
  handler: 'laureats/recuperer',
  description: 'Récupération quotidienne du dernier export Bpifrance des lauréats',
  tables: { laureats: 'readwrite' },
  buckets: { laureats: 'readwrite' },
} as const satisfies Pick<Declencheur, 'handler' | 'description' | 'tables' | 'buckets'>;

/**
 * The S3 buckets, defined once for the CDK data stack and the local cloud. Handlers find a bucket's
 * name in the environment variable `BUCKET_<KEY>`.
 */
export interface BucketDefinition {
  /** Whether objects are inputs that must keep their versions (letters of intent, exports). */
  versioned: boolean;
  /** Whether object events go to EventBridge (rules trigger functions on them, see `declencheurs.ts`). */
  eventBridge?: boolean;
  /** Days after which objects are deleted (files made on demand, fetched once). */
  expirationDays?: number;
}

export const buckets = {
  /** Letters of intent (PDF) uploaded through presigned PUTs, under `candidatures/{id}/{pieceId}.pdf`. */
  pieces: { versioned: true },
  /** Operators' exports (fiches-action CSV/XLSX) under `exports/…`, fetched through presigned GETs. */
  exports: { versioned: false, expirationDays: 7 },
  /**
   * Bpifrance's laureate exports under `exports/…` (every object created there is ingested: fetched
   * daily, uploaded through `POST /laureats/imports`, or dropped by an operator) and the import reports
   * under `rapports/…`. Versioned: an export overwritten keeps the version that was ingested.
   */
  laureats: { versioned: true, eventBridge: true },
  /**
   * Open data, rewritten by each recompute of the aggregates when their content changes:
   * `agregats/regions.json`, `agregats/regions.csv`, `agregats/index.html`. Private like the others:
   * the public reads them through `GET /open-data/agregats/{fichier}`.
   */
  opendata: { versioned: false },
} as const satisfies Record<string, BucketDefinition>;

export type BucketKey = keyof typeof buckets;

export const bucketEnv = (key: BucketKey): string => `BUCKET_${key.toUpperCase()}`;

export const localBucketName = (key: BucketKey): string => `ti-${key}`;

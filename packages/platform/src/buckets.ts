/**
 * The S3 buckets, defined once for the CDK data stack and the local cloud. Handlers find a bucket's
 * name in the environment variable `BUCKET_<KEY>`.
 */
export interface BucketDefinition {
  /** Whether objects are inputs that must keep their versions (letters of intent, exports). */
  versioned: boolean;
}

export const buckets = {
  /** Letters of intent (PDF) uploaded through presigned PUTs, under `candidatures/{id}/{pieceId}.pdf`. */
  pieces: { versioned: true },
} as const satisfies Record<string, BucketDefinition>;

export type BucketKey = keyof typeof buckets;

export const bucketEnv = (key: BucketKey): string => `BUCKET_${key.toUpperCase()}`;

export const localBucketName = (key: BucketKey): string => `ti-${key}`;

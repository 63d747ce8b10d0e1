import { S3Client } from '@aws-sdk/client-s3';
import { env } from '../config';

let instance: S3Client | undefined;

/**
 * The S3 client, created once per process (endpoint from the environment locally). Checksums only
 * when required: otherwise presigned PUTs carry the checksum of an empty body and S3 refuses the upload.
 */
export function s3Client(): S3Client {
  instance ??= new S3Client({
    forcePathStyle: process.env[env.s3PathStyle] === 'true',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return instance;
}

/** An S3 error that says the object is not there (`NoSuchKey` from a GET, `NotFound` from a HEAD). */
export const pasTrouve = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};

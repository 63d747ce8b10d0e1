import { S3Client } from '@aws-sdk/client-s3';
import { env } from '../config';

let instance: S3Client | undefined;

/** The S3 client, created once per process (endpoint and checksum mode from the environment locally). */
export function s3Client(): S3Client {
  instance ??= new S3Client({ forcePathStyle: process.env[env.s3PathStyle] === 'true' });
  return instance;
}

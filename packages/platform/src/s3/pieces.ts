import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from './client';

/** How long an upload URL stays valid. */
export const DUREE_URL_SECONDES = 15 * 60;

export const clePiece = (candidatureId: string, pieceId: string) =>
  `candidatures/${candidatureId}/${pieceId}.pdf`;

/**
 * A presigned PUT for one letter of intent. Content type and length are signed: S3 refuses an
 * upload of another type or size than the one declared.
 */
export async function urlDeDepot(bucket: string, cle: string, taille: number, maintenant: Date) {
  const uploadUrl = await getSignedUrl(
    s3Client(),
    new PutObjectCommand({ Bucket: bucket, Key: cle, ContentType: 'application/pdf', ContentLength: taille }),
    { expiresIn: DUREE_URL_SECONDES, signableHeaders: new Set(['content-type', 'content-length']) },
  );
  return { uploadUrl, expiresAt: new Date(maintenant.getTime() + DUREE_URL_SECONDES * 1000).toISOString() };
}

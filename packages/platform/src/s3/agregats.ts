import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { PublicationAgregats } from '@ti/domain/agregats/ports';
import { FICHIERS_DONNEES_OUVERTES, type FichierDonneesOuvertes } from '@ti/domain/agregats/schema';
import { pasTrouve, s3Client } from './client';

/** The open-data files' prefix in their bucket: `agregats/regions.json`, `regions.csv`, `index.html`. */
export const PREFIXE_AGREGATS = 'agregats/';
export const cleFichier = (fichier: FichierDonneesOuvertes) => `${PREFIXE_AGREGATS}${fichier}`;

/** Browsers and proxies may keep a file 5 minutes (then revalidate it by ETag). */
export const CACHE_FICHIERS = 'public, max-age=300';

const sansGuillemets = (etag: string | undefined) => (etag ?? '').replace(/"/g, '');

/** The open-data files as published, for `GET /open-data/agregats/{fichier}` (no rendering code in its bundle). */
export function lectureFichiersS3(bucket: string): Pick<PublicationAgregats, 'lire'> {
  return {
    async lire(fichier) {
      try {
        const objet = await s3Client().send(
          new GetObjectCommand({ Bucket: bucket, Key: cleFichier(fichier) }),
        );
        // Bytes decoded by Buffer, which keeps the CSV's BOM (a TextDecoder would drop it).
        const octets = Buffer.from((await objet.Body?.transformToByteArray()) ?? []);
        return {
          contenu: octets.toString('utf8'),
          type: objet.ContentType ?? 'application/octet-stream',
          etag: sansGuillemets(objet.ETag),
          modifieLe: (objet.LastModified ?? new Date(0)).toISOString(),
        };
      } catch (error) {
        if (pasTrouve(error)) return undefined;
        throw error;
      }
    },
  };
}

/**
 * Writes the files whose content differs from the stored one: its MD5 is compared with the stored
 * object's ETag (the MD5 of a single-part, SSE-S3 object), so a duplicate recompute writes nothing,
 * and a file deleted by mistake is written again by the next one. Returns the names written.
 */
export async function ecrireFichiersS3(
  bucket: string,
  fichiers: Record<FichierDonneesOuvertes, { contenu: string; type: string }>,
): Promise<FichierDonneesOuvertes[]> {
  const ecrits = await Promise.all(
    FICHIERS_DONNEES_OUVERTES.map(async (fichier) => {
      const { contenu, type } = fichiers[fichier];
      const octets = Buffer.from(contenu, 'utf8');
      const md5 = createHash('md5').update(octets).digest('hex');
      try {
        const tete = await s3Client().send(
          new HeadObjectCommand({ Bucket: bucket, Key: cleFichier(fichier) }),
        );
        if (sansGuillemets(tete.ETag) === md5) return undefined;
      } catch (error) {
        if (!pasTrouve(error)) throw error;
      }
      await s3Client().send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: cleFichier(fichier),
          Body: octets,
          ContentType: type,
          CacheControl: CACHE_FICHIERS,
        }),
      );
      return fichier;
    }),
  );
  return ecrits.filter((f): f is FichierDonneesOuvertes => f !== undefined);
}

import { randomUUID } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Cellule, Colonne } from '@ti/domain/fiches-action/export';
import { csvFrancais, type FluxTableur } from '../exports/csv-francais';
import { xlsx } from '../exports/tableur';
import { TYPE_XLSX } from '../fichiers/signatures';
import { s3Client } from './client';

/** How long a download URL stays valid. */
export const DUREE_TELECHARGEMENT_SECONDES = 15 * 60;

const TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: TYPE_XLSX,
} as const;

export interface ExportDepose {
  url: string;
  expiresAt: string;
  format: 'csv' | 'xlsx';
  lignes: number;
}

/**
 * Writes an export straight into S3: the rows are read page by page, serialised as they come and
 * sent as a multipart upload, so neither the rows nor the file are ever whole in memory (a Lambda
 * response could not carry more than 6 MB anyway). Returns a presigned GET of the file.
 */
export async function deposerExport(options: {
  bucket: string;
  /** File name without extension, e.g. `fiches-action`. */
  nom: string;
  format: 'csv' | 'xlsx';
  colonnes: readonly Colonne[];
  lignes: AsyncIterable<Cellule[]>;
  feuille: string;
  maintenant: Date;
}): Promise<ExportDepose> {
  const { bucket, nom, format, maintenant } = options;
  const jour = maintenant.toISOString().slice(0, 10);
  const nomFichier = `${nom}-${jour}.${format}`;
  const cle = `exports/${nom}/${jour}/${randomUUID()}/${nomFichier}`;
  const tableur: FluxTableur =
    format === 'csv'
      ? csvFrancais(options.colonnes, options.lignes)
      : xlsx(options.colonnes, options.lignes, options.feuille);

  const envoi = new Upload({
    client: s3Client(),
    params: {
      Bucket: bucket,
      Key: cle,
      Body: tableur.flux,
      ContentType: TYPES[format],
      ContentDisposition: `attachment; filename="${nomFichier}"`,
    },
    queueSize: 2,
  });
  let lignes: number;
  try {
    [, lignes] = await Promise.all([envoi.done(), tableur.termine]);
  } catch (error) {
    // Stops the writer too (a failed upload no longer reads it).
    tableur.flux.destroy(error as Error);
    throw error;
  }

  const url = await getSignedUrl(s3Client(), new GetObjectCommand({ Bucket: bucket, Key: cle }), {
    expiresIn: DUREE_TELECHARGEMENT_SECONDES,
  });
  return {
    url,
    expiresAt: new Date(maintenant.getTime() + DUREE_TELECHARGEMENT_SECONDES * 1000).toISOString(),
    format,
    lignes,
  };
}

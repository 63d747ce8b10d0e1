import type { PublicationAgregats } from '@ti/domain/agregats/ports';
import { ecrireFichiersS3, lectureFichiersS3 } from '../s3/agregats';
import { fichiersDonneesOuvertes } from './fichiers';

/** The open data of the aggregates in S3: rendered from the aggregates, written when changed. */
export function publicationS3(bucket: string): PublicationAgregats {
  return {
    publier: async (agregats) => ecrireFichiersS3(bucket, await fichiersDonneesOuvertes(agregats)),
    ...lectureFichiersS3(bucket),
  };
}

import { randomUUID } from 'node:crypto';
import { demanderImport } from '@ti/domain/laureats/service';
import { loadConfig } from '@ti/platform/config';
import { route } from '@ti/platform/http/route';
import { correlationCourante } from '@ti/platform/journal/contexte';
import { depotImportsS3 } from '@ti/platform/s3/laureats';

const { buckets } = loadConfig({ buckets: ['laureats'] });
// The upload URL carries the request's correlation id to the stored file, and so to its ingestion.
const deps = {
  depot: depotImportsS3(buckets.laureats, { correlation: correlationCourante }),
  nouvelId: randomUUID,
};

export const handler = route('laureats/importer', async ({ body, principal }) => {
  const demande = await demanderImport(deps, body, principal);
  return { status: 201, body: demande, headers: { Location: `/laureats/imports/${demande.importId}` } };
});

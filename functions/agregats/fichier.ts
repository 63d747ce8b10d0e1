import { lireFichierOuvert } from '@ti/domain/agregats/service';
import { loadConfig } from '@ti/platform/config';
import { route } from '@ti/platform/http/route';
import { CACHE_FICHIERS, lectureFichiersS3 } from '@ti/platform/s3/agregats';

const { buckets } = loadConfig({ buckets: ['opendata'] });
const deps = { publication: lectureFichiersS3(buckets.opendata) };

/** A published file as is, revalidated by its ETag (304 when the client holds this version). */
export const handler = route('agregats/fichier', async ({ params, headers }) => {
  const fichier = await lireFichierOuvert(deps, params.fichier ?? '');
  const entetes = {
    'Content-Type': fichier.type,
    ETag: `"${fichier.etag}"`,
    'Last-Modified': new Date(fichier.modifieLe).toUTCString(),
    'Cache-Control': CACHE_FICHIERS,
  };
  if (headers['if-none-match'] === entetes.ETag) return { status: 304, headers: entetes };
  return { status: 200, texte: fichier.contenu, headers: entetes };
});

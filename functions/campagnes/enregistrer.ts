import { programmerCampagne } from '@ti/domain/calendrier/service';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { slug } from '@ti/domain/commun/schemas';
import { calendrierDepuisEnv } from '@ti/platform/calendrier/adaptateurs';
import { loadConfig } from '@ti/platform/config';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import { HttpError } from '@ti/platform/http/problem';
import { route } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['campagnes'] });
const campagnes = campagneStoreDynamo(tables.campagnes);
const deps = { campagnes, etat: campagnes, calendrier: calendrierDepuisEnv(), horloge: horlogeSysteme };

export const handler = route('campagnes/enregistrer', async ({ params, body, principal }) => {
  const id = slug.safeParse(params.id);
  if (!id.success)
    throw new HttpError(400, 'Identifiant de campagne invalide', [
      { path: 'id', message: id.error.issues[0]?.message ?? '' },
    ]);
  const { campagne, creee } = await programmerCampagne(deps, id.data, body, principal);
  return { status: creee ? 201 : 200, body: campagne, headers: { ETag: `"${campagne.version}"` } };
});

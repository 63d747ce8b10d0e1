import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { modifierFiche } from '@ti/domain/fiches-action/service';
import { loadConfig } from '@ti/platform/config';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import { ficheActionStoreDynamo } from '@ti/platform/dynamodb/fiches-action';
import { territoireStoreDynamo } from '@ti/platform/dynamodb/territoires';
import { route, versionDeIfMatch } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['fichesAction', 'territoires', 'campagnes'] });
const deps = {
  fiches: ficheActionStoreDynamo(tables.fichesAction),
  territoires: territoireStoreDynamo(tables.territoires),
  campagnes: campagneStoreDynamo(tables.campagnes),
  horloge: horlogeSysteme,
};

export const handler = route('fiches-action/modifier', async ({ params, body, principal, headers }) => {
  const fiche = await modifierFiche(deps, params.id ?? '', body, principal.source, versionDeIfMatch(headers));
  return { status: 200, body: fiche, headers: { ETag: `"${fiche.version}"` } };
});

import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { instruireFiche } from '@ti/domain/fiches-action/service';
import { loadConfig } from '@ti/platform/config';
import { ficheActionStoreDynamo } from '@ti/platform/dynamodb/fiches-action';
import { territoireStoreDynamo } from '@ti/platform/dynamodb/territoires';
import { route, versionDeIfMatch } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['fichesAction', 'territoires'] });
const deps = {
  fiches: ficheActionStoreDynamo(tables.fichesAction),
  territoires: territoireStoreDynamo(tables.territoires),
  horloge: horlogeSysteme,
};

export const handler = route('fiches-action/instruire', async ({ params, body, principal, headers }) => {
  const fiche = await instruireFiche(deps, params.id ?? '', body, principal, versionDeIfMatch(headers));
  return { status: 200, body: fiche, headers: { ETag: `"${fiche.version}"` } };
});

import { listerFichesDuTerritoire } from '@ti/domain/fiches-action/service';
import { loadConfig } from '@ti/platform/config';
import { ficheActionStoreDynamo } from '@ti/platform/dynamodb/fiches-action';
import { territoireStoreDynamo } from '@ti/platform/dynamodb/territoires';
import { route } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['fichesAction', 'territoires'] });
const deps = {
  fiches: ficheActionStoreDynamo(tables.fichesAction),
  territoires: territoireStoreDynamo(tables.territoires),
};

export const handler = route('fiches-action/lister-du-territoire', async ({ params, query, principal }) => ({
  status: 200,
  body: await listerFichesDuTerritoire(deps, params.id ?? '', query, principal),
}));

import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { importerTerritoires } from '@ti/domain/territoires/import';
import { loadConfig } from '@ti/platform/config';
import { territoireStoreDynamo } from '@ti/platform/dynamodb/territoires';
import { lireCsv } from '@ti/platform/fichiers/csv';
import { route } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['territoires'] });
const deps = { territoires: territoireStoreDynamo(tables.territoires), horloge: horlogeSysteme };

export const handler = route('territoires/importer', async ({ body, query, principal }) => ({
  status: 200,
  body: await importerTerritoires(deps, lireCsv(body), query.generation, principal),
}));

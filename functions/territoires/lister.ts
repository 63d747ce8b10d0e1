import { listerTerritoires } from '@ti/domain/territoires/service';
import { loadConfig } from '@ti/platform/config';
import { territoireStoreDynamo } from '@ti/platform/dynamodb/territoires';
import { route } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['territoires'] });
const deps = { territoires: territoireStoreDynamo(tables.territoires) };

export const handler = route('territoires/lister', async ({ query, principal }) => ({
  status: 200,
  body: await listerTerritoires(deps, query, principal),
}));

import { lireTerritoire } from '@ti/domain/territoires/service';
import { loadConfig } from '@ti/platform/config';
import { territoireStoreDynamo } from '@ti/platform/dynamodb/territoires';
import { route } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['territoires'] });
const deps = { territoires: territoireStoreDynamo(tables.territoires) };

export const handler = route('territoires/lire', async ({ params, principal }) => {
  const territoire = await lireTerritoire(deps, params.id ?? '', principal);
  return { status: 200, body: territoire, headers: { ETag: `"${territoire.version}"` } };
});

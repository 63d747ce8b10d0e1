import { lireAgregats } from '@ti/domain/agregats/service';
import { loadConfig } from '@ti/platform/config';
import { agregatStoreDynamo } from '@ti/platform/dynamodb/agregats';
import { route } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['agregats'] });
const deps = { store: agregatStoreDynamo(tables.agregats) };

export const handler = route('agregats/lire', async () => ({
  status: 200,
  body: await lireAgregats(deps),
  headers: { 'Cache-Control': 'public, max-age=60' },
}));

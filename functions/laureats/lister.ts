import { listerLaureats } from '@ti/domain/laureats/service';
import { loadConfig } from '@ti/platform/config';
import { laureatStoreDynamo } from '@ti/platform/dynamodb/laureats';
import { route } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['laureats'] });
const deps = { laureats: laureatStoreDynamo(tables.laureats) };

export const handler = route('laureats/lister', async ({ query, principal }) => ({
  status: 200,
  body: await listerLaureats(deps, query, principal),
}));

import { listerCandidatures } from '@ti/domain/candidatures/service';
import { loadConfig } from '@ti/platform/config';
import { candidatureStoreDynamo } from '@ti/platform/dynamodb/candidatures';
import { route } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['candidatures'] });
const deps = { candidatures: candidatureStoreDynamo(tables.candidatures) };

export const handler = route('candidatures/lister', async ({ query, principal }) => ({
  status: 200,
  body: await listerCandidatures(deps, query, principal),
}));

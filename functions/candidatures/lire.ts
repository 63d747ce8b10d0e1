import { lireCandidature } from '@ti/domain/candidatures/service';
import { loadConfig } from '@ti/platform/config';
import { candidatureStoreDynamo } from '@ti/platform/dynamodb/candidatures';
import { route } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['candidatures'] });
const deps = { candidatures: candidatureStoreDynamo(tables.candidatures) };

export const handler = route('candidatures/lire', async ({ params, principal }) => {
  const candidature = await lireCandidature(deps, params.id ?? '', principal);
  return { status: 200, body: candidature, headers: { ETag: `"${candidature.version}"` } };
});

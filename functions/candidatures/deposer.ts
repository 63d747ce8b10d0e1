import { randomUUID } from 'node:crypto';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { deposerCandidature } from '@ti/domain/candidatures/service';
import { loadConfig } from '@ti/platform/config';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import { candidatureStoreDynamo } from '@ti/platform/dynamodb/candidatures';
import { route } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['candidatures', 'campagnes'] });
const deps = {
  candidatures: candidatureStoreDynamo(tables.candidatures),
  campagnes: campagneStoreDynamo(tables.campagnes),
  horloge: horlogeSysteme,
  nouvelId: randomUUID,
};

export const handler = route('candidatures/deposer', async ({ body, principal }) => {
  const candidature = await deposerCandidature(deps, body, principal.source);
  return {
    status: 201,
    body: candidature,
    headers: { Location: `/candidatures/${candidature.id}`, ETag: `"${candidature.version}"` },
  };
});

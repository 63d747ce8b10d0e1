import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { deposerCandidature } from '@ti/domain/candidatures/service';
import { loadConfig } from '@ti/platform/config';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import { candidatureStoreDynamo } from '@ti/platform/dynamodb/candidatures';
import { idDeCreation } from '@ti/platform/http/id-de-cle';
import { route } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['candidatures', 'campagnes'] });
const deps = {
  candidatures: candidatureStoreDynamo(tables.candidatures),
  campagnes: campagneStoreDynamo(tables.campagnes),
  horloge: horlogeSysteme,
};

export const handler = route('candidatures/deposer', async ({ body, principal, headers }) => {
  const candidature = await deposerCandidature(
    { ...deps, nouvelId: () => idDeCreation(principal.source, headers['idempotency-key']) },
    body,
    principal.source,
  );
  return {
    status: 201,
    body: candidature,
    headers: { Location: `/candidatures/${candidature.id}`, ETag: `"${candidature.version}"` },
  };
});

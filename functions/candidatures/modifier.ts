import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { modifierCandidature } from '@ti/domain/candidatures/service';
import { loadConfig } from '@ti/platform/config';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import { candidatureStoreDynamo } from '@ti/platform/dynamodb/candidatures';
import { route, versionDeIfMatch } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['candidatures', 'campagnes'] });
const deps = {
  candidatures: candidatureStoreDynamo(tables.candidatures),
  campagnes: campagneStoreDynamo(tables.campagnes),
  horloge: horlogeSysteme,
};

export const handler = route('candidatures/modifier', async ({ params, body, principal, headers }) => {
  const candidature = await modifierCandidature(
    deps,
    params.id ?? '',
    body,
    principal.source,
    versionDeIfMatch(headers),
  );
  return { status: 200, body: candidature, headers: { ETag: `"${candidature.version}"` } };
});

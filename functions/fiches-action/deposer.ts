import { randomUUID } from 'node:crypto';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { deposerFiche } from '@ti/domain/fiches-action/service';
import { loadConfig } from '@ti/platform/config';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import { ficheActionStoreDynamo } from '@ti/platform/dynamodb/fiches-action';
import { territoireStoreDynamo } from '@ti/platform/dynamodb/territoires';
import { route } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['fichesAction', 'territoires', 'campagnes'] });
const deps = {
  fiches: ficheActionStoreDynamo(tables.fichesAction),
  territoires: territoireStoreDynamo(tables.territoires),
  campagnes: campagneStoreDynamo(tables.campagnes),
  horloge: horlogeSysteme,
  nouvelId: randomUUID,
};

export const handler = route('fiches-action/deposer', async ({ params, body, principal }) => {
  const fiche = await deposerFiche(deps, params.id ?? '', body, principal.source);
  return {
    status: 201,
    body: fiche,
    headers: { Location: `/fiches-action/${fiche.id}`, ETag: `"${fiche.version}"` },
  };
});

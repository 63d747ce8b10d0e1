import { lireCampagne } from '@ti/domain/campagnes/service';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { loadConfig } from '@ti/platform/config';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import { candidatureStoreDynamo } from '@ti/platform/dynamodb/candidatures';
import { route } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['campagnes', 'candidatures'] });
const deps = {
  campagnes: campagneStoreDynamo(tables.campagnes),
  candidatures: candidatureStoreDynamo(tables.candidatures),
  horloge: horlogeSysteme,
};

export const handler = route('campagnes/lire', async ({ params, principal }) => ({
  status: 200,
  body: await lireCampagne(deps, params.id ?? '', principal),
}));

import { rendreDecision } from '@ti/domain/calendrier/service';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { callbacksDepuisEnv } from '@ti/platform/calendrier/adaptateurs';
import { loadConfig } from '@ti/platform/config';
import { jetonsDynamo } from '@ti/platform/dynamodb/calendrier';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import { candidatureStoreDynamo } from '@ti/platform/dynamodb/candidatures';
import { route } from '@ti/platform/http/route';

const { tables } = loadConfig({ tables: ['campagnes', 'candidatures', 'calendrier'] });
const deps = {
  campagnes: campagneStoreDynamo(tables.campagnes),
  candidatures: candidatureStoreDynamo(tables.candidatures),
  jetons: jetonsDynamo(tables.calendrier, callbacksDepuisEnv()),
  horloge: horlogeSysteme,
};

export const handler = route('campagnes/decision', async ({ params, body, principal }) => ({
  status: 200,
  body: await rendreDecision(deps, params.id ?? '', body, principal),
}));

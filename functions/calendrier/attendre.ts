import { attendre } from '@ti/domain/calendrier/etapes';
import { EntreeEtape } from '@ti/domain/calendrier/schema';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { codeRegion } from '@ti/domain/commun/schemas';
import { callbacksDepuisEnv } from '@ti/platform/calendrier/adaptateurs';
import { tache } from '@ti/platform/calendrier/tache';
import { loadConfig } from '@ti/platform/config';
import { jetonsDynamo } from '@ti/platform/dynamodb/calendrier';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import { candidatureStoreDynamo } from '@ti/platform/dynamodb/candidatures';
import * as z from 'zod';

const { tables } = loadConfig({ tables: ['campagnes', 'candidatures', 'calendrier'] });
const deps = {
  campagnes: campagneStoreDynamo(tables.campagnes),
  candidatures: candidatureStoreDynamo(tables.candidatures),
  jetons: jetonsDynamo(tables.calendrier, callbacksDepuisEnv()),
  horloge: horlogeSysteme,
};

const jeton = z.string().min(1).max(8192);

/** Invoked with `.waitForTaskToken`: its return value is ignored, the step ends on `SendTaskSuccess`. */
export const handler = tache(
  z.union([
    EntreeEtape.extend({ etape: z.literal('avis'), region: codeRegion, jeton }),
    EntreeEtape.extend({ etape: z.literal('decision'), jeton }),
  ]),
  (entree) => attendre(deps, entree),
);

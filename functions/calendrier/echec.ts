import { signalerEchec } from '@ti/domain/calendrier/etapes';
import { EntreeEtape } from '@ti/domain/calendrier/schema';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { tache } from '@ti/platform/calendrier/tache';
import { loadConfig } from '@ti/platform/config';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import * as z from 'zod';

const { tables } = loadConfig({ tables: ['campagnes'] });
const deps = { campagnes: campagneStoreDynamo(tables.campagnes), horloge: horlogeSysteme };

/** The Catch's `{Error, Cause}` of the failed state. */
export const handler = tache(
  EntreeEtape.extend({
    erreur: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  }),
  (entree) => signalerEchec(deps, entree),
);

import { calculerAttente } from '@ti/domain/calendrier/etapes';
import { EntreeEtape } from '@ti/domain/calendrier/schema';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { codeRegion } from '@ti/domain/commun/schemas';
import { tache } from '@ti/platform/calendrier/tache';
import { loadConfig } from '@ti/platform/config';
import { marquesDynamo } from '@ti/platform/dynamodb/calendrier';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import * as z from 'zod';

const { tables } = loadConfig({ tables: ['campagnes', 'calendrier'] });
const deps = {
  campagnes: campagneStoreDynamo(tables.campagnes),
  marques: marquesDynamo(tables.calendrier),
  horloge: horlogeSysteme,
};

export const handler = tache(
  EntreeEtape.extend({
    echeance: z.enum(['ouverture', 'cloture', 'avisRegional', 'annonce']),
    region: codeRegion.optional(),
  }),
  (entree) => calculerAttente(deps, entree),
);

import { atteindrePhase } from '@ti/domain/calendrier/etapes';
import { EntreeEtape } from '@ti/domain/calendrier/schema';
import { tache } from '@ti/platform/calendrier/tache';
import { loadConfig } from '@ti/platform/config';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import * as z from 'zod';

const { tables } = loadConfig({ tables: ['campagnes'] });
const deps = {
  campagnes: campagneStoreDynamo(tables.campagnes),
};

export const handler = tache(
  EntreeEtape.extend({ phase: z.enum(['ouverte', 'selection_nationale', 'attente_annonce']) }),
  (entree) => atteindrePhase(deps, entree),
);

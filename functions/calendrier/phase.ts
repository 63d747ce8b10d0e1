import { atteindrePhase } from '@ti/domain/calendrier/etapes';
import { EntreeEtape } from '@ti/domain/calendrier/schema';
import { tache } from '@ti/platform/calendrier/tache';
import { loadConfig } from '@ti/platform/config';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import { phasesMesurees } from '@ti/platform/mesures';
import * as z from 'zod';

const { tables } = loadConfig({ tables: ['campagnes'] });
const deps = {
  // Counts each phase this step moves the campaign to (PhasesCampagne, written at once).
  campagnes: phasesMesurees(campagneStoreDynamo(tables.campagnes)),
};

export const handler = tache(
  EntreeEtape.extend({ phase: z.enum(['ouverte', 'selection_nationale', 'attente_annonce']) }),
  (entree) => atteindrePhase(deps, entree),
);

import { clore } from '@ti/domain/calendrier/etapes';
import { EntreeEtape } from '@ti/domain/calendrier/schema';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { tache } from '@ti/platform/calendrier/tache';
import { loadConfig } from '@ti/platform/config';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import { candidatureStoreDynamo } from '@ti/platform/dynamodb/candidatures';
import { phasesMesurees } from '@ti/platform/mesures';

const { tables } = loadConfig({ tables: ['campagnes', 'candidatures'] });
const deps = {
  // Counts each phase this step moves the campaign to (PhasesCampagne, written at once).
  campagnes: phasesMesurees(campagneStoreDynamo(tables.campagnes)),
  candidatures: candidatureStoreDynamo(tables.candidatures),
  horloge: horlogeSysteme,
};

export const handler = tache(EntreeEtape, (entree) => clore(deps, entree));

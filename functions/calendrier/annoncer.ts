import { annoncer } from '@ti/domain/calendrier/etapes';
import { EntreeEtape } from '@ti/domain/calendrier/schema';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { notificationsDepuisEnv } from '@ti/platform/calendrier/adaptateurs';
import { tache } from '@ti/platform/calendrier/tache';
import { loadConfig } from '@ti/platform/config';
import { marquesDynamo } from '@ti/platform/dynamodb/calendrier';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import { candidatureStoreDynamo } from '@ti/platform/dynamodb/candidatures';
import { territoireStoreDynamo } from '@ti/platform/dynamodb/territoires';
import { phasesMesurees } from '@ti/platform/mesures';

const { tables } = loadConfig({ tables: ['campagnes', 'candidatures', 'territoires', 'calendrier'] });
const deps = {
  // Counts each phase this step moves the campaign to (PhasesCampagne, written at once).
  campagnes: phasesMesurees(campagneStoreDynamo(tables.campagnes)),
  candidatures: candidatureStoreDynamo(tables.candidatures),
  territoires: territoireStoreDynamo(tables.territoires),
  marques: marquesDynamo(tables.calendrier),
  notifications: notificationsDepuisEnv(),
  horloge: horlogeSysteme,
};

export const handler = tache(EntreeEtape, (entree) => annoncer(deps, entree));

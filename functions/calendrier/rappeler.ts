import { rappeler } from '@ti/domain/calendrier/etapes';
import { EntreeEtape } from '@ti/domain/calendrier/schema';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { codeRegion } from '@ti/domain/commun/schemas';
import { notificationsDepuisEnv } from '@ti/platform/calendrier/adaptateurs';
import { tache } from '@ti/platform/calendrier/tache';
import { loadConfig } from '@ti/platform/config';
import { marquesDynamo } from '@ti/platform/dynamodb/calendrier';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import { candidatureStoreDynamo } from '@ti/platform/dynamodb/candidatures';

const { tables } = loadConfig({ tables: ['campagnes', 'candidatures', 'calendrier'] });
const deps = {
  campagnes: campagneStoreDynamo(tables.campagnes),
  candidatures: candidatureStoreDynamo(tables.candidatures),
  marques: marquesDynamo(tables.calendrier),
  notifications: notificationsDepuisEnv(),
  horloge: horlogeSysteme,
};

export const handler = tache(EntreeEtape.extend({ region: codeRegion }), (entree) => rappeler(deps, entree));

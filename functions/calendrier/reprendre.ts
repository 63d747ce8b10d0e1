import { reprendreCalendriers } from '@ti/domain/calendrier/etapes';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { calendrierDepuisEnv } from '@ti/platform/calendrier/adaptateurs';
import { tache } from '@ti/platform/calendrier/tache';
import { loadConfig } from '@ti/platform/config';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import * as z from 'zod';

const { tables } = loadConfig({ tables: ['campagnes'] });
const deps = {
  campagnes: campagneStoreDynamo(tables.campagnes),
  calendrier: calendrierDepuisEnv(),
  horloge: horlogeSysteme,
};

/** Target of the daily schedule (and run by the local cloud at start): its input is not used. */
export const handler = tache(z.unknown(), () => reprendreCalendriers(deps));

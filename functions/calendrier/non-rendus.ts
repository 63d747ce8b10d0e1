import { constaterAvisNonRendus } from '@ti/domain/calendrier/etapes';
import { EntreeEtape } from '@ti/domain/calendrier/schema';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { codeRegion } from '@ti/domain/commun/schemas';
import { tache } from '@ti/platform/calendrier/tache';
import { loadConfig } from '@ti/platform/config';
import { campagneStoreDynamo } from '@ti/platform/dynamodb/campagnes';
import { candidatureStoreDynamo } from '@ti/platform/dynamodb/candidatures';

const { tables } = loadConfig({ tables: ['campagnes', 'candidatures'] });
const deps = {
  campagnes: campagneStoreDynamo(tables.campagnes),
  candidatures: candidatureStoreDynamo(tables.candidatures),
  horloge: horlogeSysteme,
};

export const handler = tache(EntreeEtape.extend({ region: codeRegion }), (entree) =>
  constaterAvisNonRendus(deps, entree),
);

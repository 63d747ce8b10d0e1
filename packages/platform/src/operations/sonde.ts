import type { AgregatStore } from '@ti/domain/agregats/ports';
import type { Horloge } from '@ti/domain/candidatures/ports';
import { age } from '../mesures';
import { METRIQUES } from '../metriques';

export interface DependancesSonde {
  /** The last import ended `termine` (`dernierImportTermineDynamo` of `dynamodb/dernier-import.ts`), undefined before the first. */
  dernierImport: () => Promise<{ importId: string; fin: string } | undefined>;
  agregats: Pick<AgregatStore, 'lire'>;
  horloge: Horloge;
}

/** The ages measured, in seconds; a missing one was not emitted. */
export interface ResultatSonde {
  ageDernierImport?: number;
  ageAgregats?: number;
}

/**
 * The probe (`sondeOperations` in `metriques.ts`): the age of the last import ended `termine` and the
 * age of the national aggregate's `asOf` (the most recent of the data it sums: the end of its newest
 * import, a territory's or a fiche-action's last change), as of now, in seconds.
 *
 * What does not exist yet (no import ended, no aggregate with a date) is not emitted at all, rather
 * than as 0 or as a made-up age: the alarms treat missing data as breaching, so a programme with no
 * import, or a probe that cannot read, alarms instead of looking fresh.
 */
export async function sonder(deps: DependancesSonde): Promise<ResultatSonde> {
  const [dernier, stocke] = await Promise.all([deps.dernierImport(), deps.agregats.lire()]);
  const maintenant = deps.horloge.maintenant().getTime();
  // A clock a little behind the writer's never makes a negative age.
  const secondesDepuis = (iso: string | null | undefined) => {
    const t = Date.parse(iso ?? '');
    return Number.isFinite(t) ? Math.max(0, Math.round((maintenant - t) / 1000)) : undefined;
  };
  const resultat: ResultatSonde = {};
  const ageImport = secondesDepuis(dernier?.fin);
  if (ageImport !== undefined) {
    age(METRIQUES.ageDernierImport, ageImport);
    resultat.ageDernierImport = ageImport;
  }
  const ageAgregats = secondesDepuis(stocke?.agregats.asOf);
  if (ageAgregats !== undefined) {
    age(METRIQUES.ageAgregats, ageAgregats);
    resultat.ageAgregats = ageAgregats;
  }
  return resultat;
}

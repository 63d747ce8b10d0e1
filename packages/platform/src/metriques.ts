import type { Declencheur } from './declencheurs';

/**
 * The business metrics, in one place: the functions emit them (CloudWatch embedded metric format,
 * through Powertools Metrics) and the observability stack's dashboard and alarms read them by these
 * very names. Every metric has the one dimension `service` (POWERTOOLS_SERVICE_NAME), plus the
 * dimension named beside it when there is one.
 */
export const NAMESPACE_METRIQUES = 'TerritoiresIndustrie';
export const SERVICE = 'territoires-industrie';

export const METRIQUES = {
  /** Each `POST /candidatures` that reaches its function, before any check: refused, accepted, replayed or failed (Count). */
  candidaturesRecues: 'CandidaturesRecues',
  /** A new candidature stored (201; not a replay) (Count). */
  candidaturesAcceptees: 'CandidaturesAcceptees',
  /** A `POST /candidatures` answered 4xx, dimension `Motif` (one of MOTIFS_REFUS) (Count). */
  candidaturesRefusees: 'CandidaturesRefusees',
  /** A fiche-action stored (201; not a replay) (Count). */
  fichesActionDeposees: 'FichesActionDeposees',
  /** A fiche-action reviewed, dimension `Statut` (`validee`, `a_completer`) (Count). */
  fichesActionInstruites: 'FichesActionInstruites',
  /** Rows of an ended import, by outcome (Count). */
  importLignesNouvelles: 'ImportLignesNouvelles',
  importLignesMisesAJour: 'ImportLignesMisesAJour',
  importLignesInchangees: 'ImportLignesInchangees',
  importLignesRejetees: 'ImportLignesRejetees',
  /** An import ended `termine` (Count); `rejete` (whole file refused: missing columns…) (Count). */
  importsTermines: 'ImportsTermines',
  importsRejetes: 'ImportsRejetes',
  /** From the import's start to its end, across retries (Milliseconds). */
  importDuree: 'ImportDuree',
  /** One recompute of the aggregates (Milliseconds), and a count of them (Count). */
  agregatsRecalculDuree: 'AgregatsRecalculDuree',
  agregatsRecalcules: 'AgregatsRecalcules',
  /** The calendar moved a campaign to a phase, dimension `Phase` (Count). */
  phasesCampagne: 'PhasesCampagne',
  /** Emitted by the probe every few minutes: age of the last ended import (Seconds). */
  ageDernierImport: 'AgeDernierImport',
  /** Emitted by the probe: age of the national aggregate's `asOf` (Seconds). */
  ageAgregats: 'AgeAgregats',
} as const;

export type NomMetrique = (typeof METRIQUES)[keyof typeof METRIQUES];

/** Why a candidature was refused: a finite set, so that the dimension stays a handful of series. */
export const MOTIFS_REFUS = [
  'signature', // 401: unsigned, stale or forged form signature
  'validation', // 400/413/415/422: malformed or invalid body
  'fenetre_fermee', // 409 outside the application window or campaign closed
  'conflit', // 409/412 other: idempotency key reused, version mismatch
  'autre', // any other 4xx
] as const;
export type MotifRefus = (typeof MOTIFS_REFUS)[number];

/** Dimension names. */
export const DIMENSIONS = { motif: 'Motif', statut: 'Statut', phase: 'Phase' } as const;

/**
 * What a route counts, declared by its definition in `routes.ts` (`metrique`) and counted by the HTTP
 * chain (`http/metriques-route.ts`): `depotCandidature` the Candidatures* metrics, `depotFicheAction`
 * FichesActionDeposees, `instructionFicheAction` FichesActionInstruites.
 */
export type MetriqueRoute = 'depotCandidature' | 'depotFicheAction' | 'instructionFicheAction';

/**
 * The probe: a function run on a schedule (every `periodeMinutes`) that emits `AgeDernierImport` and
 * `AgeAgregats` (code: `operations/sonde.ts`), so that an alarm can tell a stale import or stale
 * aggregates even when nothing runs at all. Defined once, like the aggregates' recompute
 * (`agregats/recalcul.ts`): the observability stack builds its function (entry `functions/<handler>.ts`),
 * its schedule and exactly these grants (`TABLE_<KEY>` set by `grantTable`).
 */
export const sondeOperations = {
  handler: 'operations/sonder',
  description:
    'Sonde : âge du dernier import de lauréats terminé et des agrégats, en métriques (toutes les 5 minutes)',
  periodeMinutes: 5,
  tables: { laureats: 'read', agregats: 'read' },
  buckets: {},
} as const satisfies Pick<Declencheur, 'handler' | 'description' | 'tables' | 'buckets'> & {
  periodeMinutes: number;
};

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EtatCampagneStore } from '@ti/domain/calendrier/ports';
import type { Phase } from '@ti/domain/campagnes/campagne';
import type { ImportLaureats } from '@ti/domain/laureats/ports';
import {
  DIMENSIONS,
  METRIQUES,
  type MotifRefus,
  NAMESPACE_METRIQUES,
  type NomMetrique,
  SERVICE,
} from './metriques';
import { logger } from './observabilite';

/** Powertools' warning when a flush finds nothing to publish. */
const RIEN_A_PUBLIER = 'No application metrics to publish';

/**
 * Where Powertools Metrics writes its own messages: the function's logger. An invocation that emits
 * nothing is normal here (a fiche-action refused, an import interrupted to resume, a step that moved
 * no phase), so the warning Powertools prints on each such flush is only a debug line; the others
 * (an invalid dimension, a missing namespace) stay warnings.
 */
const journal = {
  debug: (message: unknown) => logger.debug(String(message)),
  info: (message: unknown) => logger.info(String(message)),
  warn: (message: unknown) =>
    String(message).startsWith(RIEN_A_PUBLIER) ? logger.debug(String(message)) : logger.warn(String(message)),
  error: (message: unknown) => logger.error(String(message)),
};

/**
 * The one Metrics instance of a function, created once at module scope (the namespace and service
 * as `TiFunction` sets them, the names of `metriques.ts` otherwise). The metrics without a dimension of
 * their own are buffered and written as one EMF document per invocation by middy's `logMetrics`
 * (also on error, and on an idempotent replay, which ends the chain early). Each of those with a
 * dimension of its own is written at once as a single metric, with exactly `service` and that
 * dimension: the series the dashboard queries. `POWERTOOLS_METRICS_DISABLED=true` (the local cloud's
 * default) writes nothing.
 */
export const metriques = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || NAMESPACE_METRIQUES,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || SERVICE,
  logger: journal,
});

const compter = (nom: NomMetrique, n = 1) => metriques.addMetric(nom, MetricUnit.Count, n);

/** A count with one more dimension than `service`, written at once in its own EMF document. */
function compterPar(nom: NomMetrique, dimension: string, valeur: string) {
  const seule = metriques.singleMetric();
  seule.addDimension(dimension, valeur);
  seule.addMetric(nom, MetricUnit.Count, 1);
}

export const candidatureRecue = () => compter(METRIQUES.candidaturesRecues);
export const candidatureAcceptee = () => compter(METRIQUES.candidaturesAcceptees);
export const candidatureRefusee = (motif: MotifRefus) =>
  compterPar(METRIQUES.candidaturesRefusees, DIMENSIONS.motif, motif);
export const ficheActionDeposee = () => compter(METRIQUES.fichesActionDeposees);
export const ficheActionInstruite = (statut: 'validee' | 'a_completer') =>
  compterPar(METRIQUES.fichesActionInstruites, DIMENSIONS.statut, statut);

/**
 * An import that this run ended (`termine` or `rejete`): its rows by outcome, and its duration from its
 * start to its end as the record holds them, retries included. Called once per import, by the run
 * that closed it (`surCloture` of the ingestion), never on an interruption nor on a duplicate event.
 */
export function importClos(imp: ImportLaureats): void {
  compter(METRIQUES.importLignesNouvelles, imp.lignes.nouvelles);
  compter(METRIQUES.importLignesMisesAJour, imp.lignes.modifiees);
  compter(METRIQUES.importLignesInchangees, imp.lignes.inchangees);
  compter(METRIQUES.importLignesRejetees, imp.lignes.rejetees);
  compter(imp.statut === 'termine' ? METRIQUES.importsTermines : METRIQUES.importsRejetes);
  const duree = Date.parse(imp.fin ?? '') - Date.parse(imp.debut);
  if (Number.isFinite(duree)) metriques.addMetric(METRIQUES.importDuree, MetricUnit.Milliseconds, duree);
}

/** One recompute of the aggregates, its duration (retries on a concurrent write included). */
export function agregatsRecalcules(dureeMs: number): void {
  compter(METRIQUES.agregatsRecalcules);
  metriques.addMetric(METRIQUES.agregatsRecalculDuree, MetricUnit.Milliseconds, Math.round(dureeMs));
}

/** An age the probe measured, in seconds. */
export const age = (
  nom: typeof METRIQUES.ageDernierImport | typeof METRIQUES.ageAgregats,
  secondes: number,
) => metriques.addMetric(nom, MetricUnit.Seconds, secondes);

/**
 * The campaigns' store of a calendar step, counting each phase it actually moves a campaign to: the
 * conditional write said `avancee`. A step run again (a Lambda retry, a new execution after a
 * restart) finds the phase already there (`inchangee`) and counts nothing; an execution of outdated
 * dates (`perimee`) neither. The domain's steps are unchanged: they see the same port.
 */
export function phasesMesurees<S extends Pick<EtatCampagneStore, 'avancerPhase'>>(store: S): S {
  return {
    ...store,
    async avancerPhase(
      id: string,
      version: number,
      phase: Phase,
      calendrier?: Parameters<S['avancerPhase']>[3],
    ) {
      const resultat = await store.avancerPhase(id, version, phase, calendrier);
      if (resultat === 'avancee') compterPar(METRIQUES.phasesCampagne, DIMENSIONS.phase, phase);
      return resultat;
    },
  };
}

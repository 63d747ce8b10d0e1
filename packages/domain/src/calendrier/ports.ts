import type { Campagne, Phase } from '../campagnes/campagne';
import type { Decision, EntreeEtape, EtatCalendrier } from './schema';

/**
 * The campaign's calendar as an execution of the state machine (Step Functions in AWS, the local
 * runner locally). An execution serves one version of the campaign's dates.
 */
export interface CalendrierPort {
  /** Starts the named execution; starting a name that already exists is not an error. */
  demarrer(execution: string, entree: EntreeEtape): Promise<'demarree' | 'deja_demarree'>;
  /** Stops it; false when it was not running (unknown, or already over). */
  arreter(execution: string, cause: string): Promise<boolean>;
  etat(execution: string): Promise<'en_cours' | 'terminee' | 'echouee' | 'arretee' | 'inconnue'>;
}

/** A step of the calendar that waits for people: one region's opinions, or the national decision. */
export type CleJeton =
  | { campagne: string; etape: 'avis'; region: string }
  | { campagne: string; etape: 'decision' };

/**
 * Task tokens of the steps that wait (`.waitForTaskToken`): the step keeps its token, the API resumes
 * it when what it waits for is in (`SendTaskSuccess` in AWS, the local runner's promise locally).
 */
export interface JetonsPort {
  /** Keeps the token of the step now waiting (it replaces the token of an earlier wait of that step). */
  garder(cle: CleJeton, jeton: string): Promise<void>;
  /** Resumes the waiting step with `sortie`; false when no step waits (or its token expired). */
  reprendre(cle: CleJeton, sortie: Record<string, unknown>): Promise<boolean>;
}

/** A message to a candidate or to operators; `id` is stable, so a receiver can discard a repeat. */
export interface Mail {
  id: string;
  a: string;
  objet: string;
  texte: string;
}

export interface Evenement {
  id: string;
  /** EventBridge detail-type. */
  type: 'Resultat de candidature' | 'Rappel avis regional';
  detail: Record<string, unknown>;
}

/** E-mails (SES in AWS) and events (EventBridge in AWS); locally files and logs. */
export interface NotificationsPort {
  envoyerMail(mail: Mail): Promise<void>;
  publier(evenement: Evenement): Promise<void>;
}

/** What the calendar writes on the campaign item, beside the dates (never the dates nor the version). */
export interface EtatCampagneStore {
  lire(id: string): Promise<Campagne | undefined>;
  /**
   * Moves the phase forward, if the campaign is still at `version`: `avancee`; `inchangee` when it is
   * already there or beyond; `perimee` when the dates changed since (another execution serves them).
   * With `calendrier`, records it in the same write (a reader never sees the last phase with the
   * calendar still running).
   */
  avancerPhase(
    id: string,
    version: number,
    phase: Phase,
    calendrier?: EtatCalendrier,
  ): Promise<'avancee' | 'inchangee' | 'perimee'>;
  /** Records where the calendar stands, if the campaign is still at `version`. */
  enregistrerCalendrier(id: string, version: number, etat: EtatCalendrier): Promise<boolean>;
  /** Records the decision unless one is already there (false then). */
  enregistrerDecision(id: string, decision: Decision): Promise<boolean>;
  /** Every campaign (a few per programme generation). */
  lister(): Promise<Campagne[]>;
}

/** Marks that make the calendar's messages idempotent (a re-run sends nothing twice). */
export interface MarquesStore {
  rappelEnvoye(campagne: string, region: string): Promise<boolean>;
  marquerRappel(campagne: string, region: string, date: string): Promise<void>;
  /**
   * Takes the right to notify a candidature: `reservee` (send, then `confirmerNotification`),
   * `envoyee` (already done), `occupee` (another run holds it since less than `bailSecondes`).
   */
  reserverNotification(
    campagne: string,
    candidature: string,
    maintenant: Date,
    bailSecondes: number,
  ): Promise<'reservee' | 'envoyee' | 'occupee'>;
  confirmerNotification(campagne: string, candidature: string, date: string): Promise<void>;
}

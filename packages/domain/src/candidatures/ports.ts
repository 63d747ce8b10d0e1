import type { Campagne } from '../campagnes/campagne';
import type { Candidature, FiltreCandidatures, Modification } from './schema';

export interface PageResultat<T> {
  items: T[];
  nextCursor: string | null;
}

/** Where candidatures live. Every write keeps the version it creates in the history. */
export interface CandidatureStore {
  /** Creates the candidature and its first version, atomically; false when the id is already taken. */
  creer(candidature: Candidature, modification: Modification): Promise<boolean>;
  /**
   * Replaces the candidature if its stored version is still `versionLue`, and appends the version,
   * atomically. Returns false when another write came first.
   */
  remplacer(candidature: Candidature, modification: Modification, versionLue: number): Promise<boolean>;
  lire(id: string): Promise<Candidature | undefined>;
  historique(id: string): Promise<Modification[]>;
  lister(
    filtre: Omit<FiltreCandidatures, 'limit' | 'cursor'>,
    limit: number,
    cursor?: string,
  ): Promise<PageResultat<Candidature>>;
  /** Per region of the campaign: number of candidatures and of opinions received. */
  compterParRegion(campagne: string): Promise<{ code: string; candidatures: number; avisRecus: number }[]>;
}

export interface CampagneStore {
  lire(id: string): Promise<Campagne | undefined>;
  /** Creates (versionLue undefined) or replaces the campaign if its version is still `versionLue`. */
  enregistrer(campagne: Campagne, versionLue: number | undefined): Promise<boolean>;
}

export interface Horloge {
  maintenant(): Date;
}

export const horlogeSysteme: Horloge = { maintenant: () => new Date() };

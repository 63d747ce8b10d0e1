import type { PageResultat } from '../candidatures/ports';
import type { Priorite } from '../commun/schemas';
import type { EvenementFiche, FicheAction } from './schema';

export interface FiltreFiches {
  priorite?: Priorite | undefined;
}

/** Where fiches-action live. Every write keeps the event it records in the fiche's history. */
export interface FicheActionStore {
  /** Creates the fiche and its first event, atomically. */
  creer(fiche: FicheAction, evenement: EvenementFiche): Promise<void>;
  /**
   * Replaces the fiche if its stored version is still `versionLue`, and appends the event,
   * atomically. Returns false when another write came first.
   */
  remplacer(fiche: FicheAction, evenement: EvenementFiche, versionLue: number): Promise<boolean>;
  lire(id: string): Promise<FicheAction | undefined>;
  historique(id: string): Promise<EvenementFiche[]>;
  /** The fiches of these territories, territory after territory in the given order, then by deposit. */
  page(
    territoires: readonly string[],
    filtre: FiltreFiches,
    limit: number,
    cursor?: string,
  ): Promise<PageResultat<FicheAction>>;
  /** The same fiches, one storage page at a time, for exports that must not hold them all in memory. */
  parcourir(territoires: readonly string[], filtre: FiltreFiches): AsyncIterable<FicheAction[]>;
}

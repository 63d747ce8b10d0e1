import type { PageResultat } from '../candidatures/ports';
import type { Generation, Territoire, TerritoireResume } from './schema';

/** Where territories live, with their commune → territories index. */
export interface TerritoireStore {
  lire(id: string): Promise<Territoire | undefined>;
  /** Several territories at once (batched reads); absent ids are missing from the map. */
  lirePlusieurs(ids: readonly string[]): Promise<Map<string, Territoire>>;
  /**
   * Creates the territory (`precedent` undefined) or replaces `precedent` if its stored version is
   * still the same, and brings the commune index in line with its communes. Returns false when
   * another write came first. Running it again after a failure repairs the index.
   */
  enregistrer(territoire: Territoire, precedent: Territoire | undefined): Promise<boolean>;
  /** Sorted by generation then id. */
  lister(
    filtre: { region?: string | undefined; generation?: Generation | undefined },
    limit: number,
    cursor?: string,
  ): Promise<PageResultat<TerritoireResume>>;
  /** For each current commune code, the ids of the territories that contain it (index lookups, no scan). */
  territoiresDeCommunes(codes: readonly string[], generation?: Generation): Promise<Map<string, string[]>>;
}

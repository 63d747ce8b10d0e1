import type { FichesTerritoire, LaureatAgrege, ResultatAgregats, TerritoireAgrege } from './calcul';
import type {
  AgregatRegionDate,
  Agregats,
  AgregatTerritoire,
  FichierDonneesOuvertes,
  Source,
} from './schema';

/** The data the aggregates are computed from: the whole current state, read at each recompute. */
export interface SourcesAgregats {
  /** Every stored laureate, page after page (in no particular order). */
  laureats(): AsyncIterable<readonly LaureatAgrege[]>;
  /** Every labelled territory, of every generation, with its communes. */
  territoires(): Promise<TerritoireAgrege[]>;
  /** The fiches-action count of each of these territories. */
  fiches(territoires: readonly string[]): Promise<FichesTerritoire[]>;
  /** These imports as sources (`ingereLe` = the end of the import); unknown or unfinished ones are left out. */
  imports(importIds: readonly string[]): Promise<Source[]>;
}

/** Where the aggregates are kept for the `/agregats` routes. */
export interface AgregatStore {
  /** The last result written: the document of `GET /agregats` and its content hash. */
  lire(): Promise<{ empreinte: string; agregats: Agregats } | undefined>;
  lireRegion(code: string): Promise<AgregatRegionDate | undefined>;
  lireTerritoire(id: string): Promise<AgregatTerritoire | undefined>;
  /**
   * Writes a result whose hash differs from the stored one, the document last (it is what a reader
   * of `GET /agregats` sees, in one item). `precedente` is the hash read before computing: false, and
   * nothing of the document written, when another recompute wrote in between.
   */
  enregistrer(
    resultat: ResultatAgregats,
    empreinte: string,
    precedente: string | undefined,
  ): Promise<boolean>;
}

export interface FichierPublie {
  contenu: string;
  /** `Content-Type` with its charset. */
  type: string;
  etag: string;
  modifieLe: string;
}

/** The open-data files (`agregats/regions.json`, `regions.csv`, `index.html`). */
export interface PublicationAgregats {
  /** Writes the files whose content differs from the published one; returns their names. */
  publier(agregats: Agregats): Promise<FichierDonneesOuvertes[]>;
  lire(fichier: FichierDonneesOuvertes): Promise<FichierPublie | undefined>;
}

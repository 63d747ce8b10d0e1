import type { PageResultat } from '../candidatures/ports';
import type { CelluleLue, DonneesLaureat } from './ligne';
import type { Compteurs, StatutImport } from './schema';

export type ResultatLigne = 'nouvelle' | 'modifiee' | 'inchangee';

/**
 * What the last write of a laureate carries so that the same import, run again after a crash,
 * recognises its own work: the outcome of each of its lines this write settled, and the territory
 * memberships it removed (removed again when the write is redone).
 */
export interface TraceEcriture {
  importId: string;
  lignes: Record<string, ResultatLigne>;
  territoiresRetires: string[];
}

export interface LaureatStocke {
  donnees: DonneesLaureat;
  empreinte: string;
  /** The import that wrote this version. */
  importId: string;
  trace?: TraceEcriture;
}

export interface EcritureLaureat {
  /** The laureate to put; absent when only its memberships are rewritten (a redone write). */
  laureat?: LaureatStocke;
  identifiantProjet: string;
  codeRegion: string;
  /** Territories whose membership item is (re)written; empty when unchanged. */
  appartenances: string[];
  /** Territories whose membership item is deleted. */
  retraits: string[];
}

/** A rejected row's fault, or a warning, as kept with the import (`ordre` numbers them within a line). */
export interface Signalement {
  type: 'rejet' | 'avertissement';
  ligne: number;
  ordre: number;
  colonne?: string;
  motif: string;
}

export interface FiltreStockage {
  region?: string | undefined;
  territoire?: string | undefined;
}

/** Where laureates live, with their territory memberships (for listings by territory). */
export interface LaureatStore {
  /**
   * The stored laureates among these ids (batched reads). `comparaison`: only what comparing needs
   * (id, hash, import, trace, region, territories), the other fields of `donnees` left empty.
   */
  lirePlusieurs(
    ids: readonly string[],
    portee?: 'complet' | 'comparaison',
  ): Promise<Map<string, LaureatStocke>>;
  /**
   * Writes laureates, memberships and an import's signalements. Every write is a full put or a
   * delete keyed by what it is: replaying it changes nothing, in any order.
   */
  ecrire(
    ecritures: readonly EcritureLaureat[],
    signalements: { importId: string; liste: readonly Signalement[] },
  ): Promise<void>;
  lister(filtre: FiltreStockage, limit: number, cursor?: string): Promise<PageResultat<LaureatStocke>>;
}

/** The S3 object an import reads: one version of one key. */
export interface ObjetImporte {
  bucket: string;
  cle: string;
  versionId?: string;
  etag?: string;
  taille: number;
}

/** An import as recorded: its counts are those of the lines up to `curseur`, committed with them. */
export interface ImportLaureats {
  importId: string;
  fichier: string;
  statut: StatutImport;
  debut: string;
  fin?: string;
  lignes: Compteurs;
  /** Last line (spreadsheet numbering) whose effects are written and counted; 0 before the first. */
  curseur: number;
  octetsLus: number;
  objet: ObjetImporte;
  nbRejets: number;
  nbAvertissements: number;
  colonnesManquantes?: string[];
  /** Keys of the report files, once written. */
  rapport?: { json: string; rejetsCsv: string };
  /**
   * The id that follows the import in the logs of every function it runs through (the request or the
   * scheduled run that stored the file), recorded so that what runs after it (the aggregates) logs it too.
   */
  correlationId?: string;
}

export type AvancementImport = Pick<
  ImportLaureats,
  'curseur' | 'lignes' | 'octetsLus' | 'nbRejets' | 'nbAvertissements'
>;
export type ClotureImport = AvancementImport &
  Pick<ImportLaureats, 'statut' | 'fin' | 'colonnesManquantes' | 'rapport'>;

export interface ImportStore {
  lire(importId: string): Promise<ImportLaureats | undefined>;
  /** Creates the record; false when it exists already. */
  creer(imp: ImportLaureats): Promise<boolean>;
  /** Commits a window's progress if the stored cursor is still `curseurAttendu` (false otherwise). */
  avancer(importId: string, curseurAttendu: number, avancement: AvancementImport): Promise<boolean>;
  /** Ends the import (`termine` or `rejete`) if its cursor is still `curseurAttendu` and it is in progress. */
  clore(importId: string, curseurAttendu: number, cloture: ClotureImport): Promise<boolean>;
  /** The import's rejected rows' faults or warnings, by line; `limite` first ones only when given. */
  signalements(importId: string, type: Signalement['type'], limite?: number): AsyncIterable<Signalement>;
}

/** The territories registry's commune → territories lookup. */
export interface Rattachement {
  /** For each current INSEE code, the ids of the labelled territories (any generation) containing it. */
  territoiresDe(codesCommunes: readonly string[]): Promise<Map<string, string[]>>;
}

export interface RapportsImport {
  /** Writes the full report (JSON) and the rejected rows (CSV, in French) of an ended import; returns their keys. */
  publier(
    imp: ImportLaureats,
    signalements: (type: Signalement['type']) => AsyncIterable<Signalement>,
  ): Promise<{
    json: string;
    rejetsCsv: string;
  }>;
  /** Time-limited links to read them. */
  liens(rapport: {
    json: string;
    rejetsCsv: string;
  }): Promise<{ json: string; rejetsCsv: string; expiresAt: string }>;
}

/** Presigned uploads for `POST /laureats/imports`. */
export interface DepotImports {
  urlDeDepot(importId: string, fichier: string): Promise<{ uploadUrl: string; expiresAt: string }>;
}

/** A row of a file as the readers hand it over (spreadsheet numbering, the header row included). */
export interface LigneBrute {
  numero: number;
  cellules: CelluleLue[];
}

/** A file opened as a stream of rows. */
export interface TableauEnFlux {
  lignes: AsyncIterable<LigneBrute>;
  /** Bytes of the file read so far. */
  octetsLus(): number;
}

/** A file that is neither CSV nor XLSX, or that breaks off (an unclosed quote, a truncated archive). */
export class FichierIllisible extends Error {
  constructor(
    message: string,
    /** The line where reading stopped, when known. */
    readonly ligne?: number,
  ) {
    super(message);
    this.name = 'FichierIllisible';
  }
}

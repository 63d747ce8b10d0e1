import { type Operateur, regionVisible } from '../commun/acces';
import { enCentimes, sommeCentimes } from '../commun/montants';
import { toutesLesPages } from '../commun/parallele';
import type { Priorite } from '../commun/schemas';
import type { TerritoireStore } from '../territoires/ports';
import { GENERATION_COURANTE, type TerritoireResume } from '../territoires/schema';
import type { FicheActionStore, FiltreFiches } from './ports';
import type { FicheAction, FiltreExportFiches } from './schema';

/**
 * The operators' export of fiches-action: one row per fiche, the same columns whatever the format.
 * The domain says what each cell holds; the writers (CSV in the French Excel convention, XLSX) say
 * how it is written.
 */
export type TypeColonne = 'texte' | 'montant' | 'date' | 'instant' | 'entier';

/** A cell: text, integer cents for `montant`, `YYYY-MM-DD` for `date`, ISO instant for `instant`. */
export type Cellule = string | number | null;

export interface Colonne {
  titre: string;
  type: TypeColonne;
  largeur: number;
}

const LIBELLES_PRIORITE: Record<Priorite, string> = {
  transition_ecologique: 'Transition écologique',
  innovation: 'Innovation',
  competences: 'Compétences',
  foncier: 'Foncier',
};

const COLONNES_ET_VALEURS: [Colonne, (f: FicheAction, t: TerritoireResume | undefined) => Cellule][] = [
  [{ titre: 'Identifiant', type: 'texte', largeur: 38 }, (f) => f.id],
  [{ titre: 'Territoire', type: 'texte', largeur: 12 }, (f) => f.territoire],
  [{ titre: 'Nom du territoire', type: 'texte', largeur: 36 }, (_, t) => t?.nom ?? null],
  [{ titre: 'Régions', type: 'texte', largeur: 10 }, (_, t) => t?.regions.join(', ') ?? null],
  [{ titre: 'Titre', type: 'texte', largeur: 48 }, (f) => f.titre],
  [{ titre: 'Priorité', type: 'texte', largeur: 22 }, (f) => LIBELLES_PRIORITE[f.priorite]],
  [{ titre: 'Maturité', type: 'texte', largeur: 10 }, (f) => f.maturite],
  [{ titre: 'Statut', type: 'texte', largeur: 12 }, (f) => f.statut],
  [{ titre: 'Porteur', type: 'texte', largeur: 32 }, (f) => f.porteur.nom],
  [{ titre: 'Type de porteur', type: 'texte', largeur: 14 }, (f) => f.porteur.type],
  [{ titre: 'SIRET du porteur', type: 'texte', largeur: 16 }, (f) => f.porteur.siret ?? null],
  [{ titre: 'Coût total (€)', type: 'montant', largeur: 16 }, (f) => enCentimes(f.financement.coutTotal)],
  [{ titre: 'Financements acquis (€)', type: 'montant', largeur: 16 }, (f) => totalSources(f, 'acquis')],
  [
    { titre: 'Financements sollicités (€)', type: 'montant', largeur: 16 },
    (f) => totalSources(f, 'sollicite'),
  ],
  [{ titre: 'Financements envisagés (€)', type: 'montant', largeur: 16 }, (f) => totalSources(f, 'envisage')],
  [
    { titre: 'Besoin de financement (€)', type: 'montant', largeur: 16 },
    (f) => enCentimes(f.besoinFinancement),
  ],
  [
    { titre: 'Financeurs', type: 'texte', largeur: 48 },
    (f) => f.financement.sources.map((s) => `${s.financeur} (${s.statut})`).join(' ; '),
  ],
  [{ titre: 'Début', type: 'date', largeur: 12 }, (f) => f.calendrier.debut],
  [{ titre: 'Fin', type: 'date', largeur: 12 }, (f) => f.calendrier.fin],
  [
    { titre: 'Indicateurs', type: 'texte', largeur: 48 },
    (f) => f.indicateurs.map((i) => `${i.libelle} : ${i.cible} ${i.unite}`).join(' ; '),
  ],
  [
    { titre: 'Parties prenantes', type: 'texte', largeur: 40 },
    (f) => f.partiesPrenantes.map((p) => p.nom).join(' ; '),
  ],
  [{ titre: 'Description', type: 'texte', largeur: 60 }, (f) => f.description],
  [{ titre: 'Déposée le', type: 'instant', largeur: 20 }, (f) => f.deposeeLe],
  [{ titre: 'Modifiée le', type: 'instant', largeur: 20 }, (f) => f.modifieeLe],
  [{ titre: 'Version', type: 'entier', largeur: 8 }, (f) => f.version],
];

function totalSources(f: FicheAction, statut: string): number {
  return sommeCentimes(f.financement.sources.filter((s) => s.statut === statut).map((s) => s.montant));
}

export const COLONNES_EXPORT: Colonne[] = COLONNES_ET_VALEURS.map(([c]) => c);

export function ligneExport(fiche: FicheAction, territoire: TerritoireResume | undefined): Cellule[] {
  return COLONNES_ET_VALEURS.map(([, valeur]) => valeur(fiche, territoire));
}

/**
 * The territories whose fiches an export covers: the current generation's (only they receive
 * fiches), of the region asked (or seen), all otherwise.
 */
async function territoiresDeLExport(
  deps: { territoires: TerritoireStore },
  region: string | undefined,
): Promise<Map<string, TerritoireResume>> {
  const territoires = await toutesLesPages((cursor) =>
    deps.territoires.lister({ region, generation: GENERATION_COURANTE }, 200, cursor),
  );
  return new Map(territoires.map((t) => [t.id, t]));
}

export interface ExportPrepare {
  /** The rows, read page by page from storage as the writer consumes them. */
  lignes: AsyncIterable<Cellule[]>;
}

/**
 * `GET /fiches-action?format=json`: a page of the fiches an operator may see (its region only
 * for a regional operator), filtered by region and priority.
 */
export async function pageExportFiches(
  deps: { fiches: FicheActionStore; territoires: TerritoireStore },
  filtre: FiltreExportFiches,
  operateur: Operateur,
) {
  const region = regionVisible(operateur, filtre.region);
  const territoires = await territoiresDeLExport(deps, region);
  const critere: FiltreFiches = { priorite: filtre.priorite };
  return deps.fiches.page([...territoires.keys()], critere, filtre.limit, filtre.cursor);
}

/**
 * `GET /fiches-action?format=csv|xlsx`: the rows of the export. Access is checked now; the rows are
 * read lazily, one storage page at a time, so 10,000 fiches never sit in memory together.
 */
export async function preparerExportFiches(
  deps: { fiches: FicheActionStore; territoires: TerritoireStore },
  filtre: Pick<FiltreExportFiches, 'region' | 'priorite'>,
  operateur: Operateur,
): Promise<ExportPrepare> {
  const region = regionVisible(operateur, filtre.region);
  const territoires = await territoiresDeLExport(deps, region);
  const critere: FiltreFiches = { priorite: filtre.priorite };
  async function* lignes() {
    for await (const page of deps.fiches.parcourir([...territoires.keys()], critere)) {
      for (const fiche of page) yield ligneExport(fiche, territoires.get(fiche.territoire));
    }
  }
  return { lignes: lignes() };
}

import { createHash } from 'node:crypto';
import { enEuros } from '../commun/montants';
import { nomRegion } from '../geographie/officielle';
import type { DonneesLaureat } from '../laureats/ligne';
import { GENERATIONS, type Generation } from '../territoires/schema';
import type {
  Agregat,
  AgregatRegion,
  AgregatRegionDate,
  Agregats,
  AgregatTerritoire,
  Source,
} from './schema';

/**
 * The aggregates as a fold, in two stages:
 * 1. `releverLaureats`: one pass over the laureates, summed per commune (integer cents), in any order;
 * 2. `agreger`: the communes' sums dispatched to regions, the nation and territories, with the
 *    territories and their fiches-action counted.
 * Integer sums commute and every list is sorted at the end, so the result does not depend on the order
 * the data came in; it is computed from the whole current state, never by increments, so computing it
 * twice gives the same result.
 */

/** The fields of a laureate the aggregates read. */
export const CHAMPS_AGREGES = [
  'identifiantProjet',
  'codeCommune',
  'codeRegion',
  'categorie',
  'investissementCentimes',
  'aideEtatCentimes',
  'aideRegionCentimes',
  'emploisPrevus',
  'relocalisation',
  'formation',
  'transitionEcologique',
  'territoireFragile',
] as const satisfies readonly (keyof DonneesLaureat)[];

/** What the aggregates read of a laureate, and the import that wrote this version of it. */
export type LaureatAgrege = Pick<DonneesLaureat, (typeof CHAMPS_AGREGES)[number]> & { importId: string };

/** What the aggregates read of a labelled territory. */
export interface TerritoireAgrege {
  id: string;
  nom: string;
  generation: Generation;
  regions: string[];
  communes: string[];
  modifieLe: string;
}

export interface FichesTerritoire {
  territoire: string;
  nb: number;
  /** The latest `modifieeLe` of these fiches (null without any). */
  derniereModification: string | null;
}

/** Sums over laureates, all integers (amounts in cents). */
export interface Cumul {
  nb: number;
  investissement: number;
  aideEtat: number;
  aideRegion: number;
  emplois: number;
  TPE: number;
  PME: number;
  ETI: number;
  GE: number;
  autre: number;
  relocalisationNb: number;
  relocalisationInvestissement: number;
  relocalisationEmplois: number;
  formationNb: number;
  formationInvestissement: number;
  formationEmplois: number;
  transitionNb: number;
  transitionInvestissement: number;
  transitionEmplois: number;
  fragile: number;
}

export const cumulVide = (): Cumul => ({
  nb: 0,
  investissement: 0,
  aideEtat: 0,
  aideRegion: 0,
  emplois: 0,
  TPE: 0,
  PME: 0,
  ETI: 0,
  GE: 0,
  autre: 0,
  relocalisationNb: 0,
  relocalisationInvestissement: 0,
  relocalisationEmplois: 0,
  formationNb: 0,
  formationInvestissement: 0,
  formationEmplois: 0,
  transitionNb: 0,
  transitionInvestissement: 0,
  transitionEmplois: 0,
  fragile: 0,
});

const CHAMPS_CUMUL = Object.keys(cumulVide()) as (keyof Cumul)[];

export function ajouterLaureat(c: Cumul, l: LaureatAgrege): void {
  c.nb += 1;
  c.investissement += l.investissementCentimes;
  c.aideEtat += l.aideEtatCentimes;
  c.aideRegion += l.aideRegionCentimes;
  c.emplois += l.emploisPrevus;
  switch (l.categorie) {
    case 'TPE':
    case 'PME':
    case 'ETI':
    case 'GE':
      c[l.categorie] += 1;
      break;
    default:
      // Associations and laureates without a category.
      c.autre += 1;
  }
  if (l.relocalisation) {
    c.relocalisationNb += 1;
    c.relocalisationInvestissement += l.investissementCentimes;
    c.relocalisationEmplois += l.emploisPrevus;
  }
  if (l.formation) {
    c.formationNb += 1;
    c.formationInvestissement += l.investissementCentimes;
    c.formationEmplois += l.emploisPrevus;
  }
  if (l.transitionEcologique) {
    c.transitionNb += 1;
    c.transitionInvestissement += l.investissementCentimes;
    c.transitionEmplois += l.emploisPrevus;
  }
  if (l.territoireFragile) c.fragile += 1;
}

export function fusionner(cible: Cumul, source: Cumul): void {
  for (const champ of CHAMPS_CUMUL) cible[champ] += source[champ];
}

/** The laureates summed per (region, commune), and the imports that wrote them. */
export interface ReleveLaureats {
  /** Key `"<code région>|<code commune>"`: the commune's sums and the imports that wrote its laureates. */
  parCommune: Map<string, { cumul: Cumul; imports: Set<string> }>;
  importIds: Set<string>;
  nbLaureats: number;
}

/**
 * Stage 1, a single pass: memory grows with the number of communes, not of laureates (plus the ids
 * seen, to refuse a laureate read twice rather than count it twice).
 */
export function releverLaureats() {
  const releve: ReleveLaureats = {
    parCommune: new Map(),
    importIds: new Set(),
    nbLaureats: 0,
  };
  const vus = new Set<string>();
  return {
    ajouter(laureats: Iterable<LaureatAgrege>): void {
      for (const l of laureats) {
        if (vus.has(l.identifiantProjet)) {
          throw new Error(`Lauréat ${l.identifiantProjet} lu deux fois : le relevé est abandonné`);
        }
        vus.add(l.identifiantProjet);
        const cle = `${l.codeRegion}|${l.codeCommune}`;
        let commune = releve.parCommune.get(cle);
        if (!commune) {
          commune = { cumul: cumulVide(), imports: new Set() };
          releve.parCommune.set(cle, commune);
        }
        ajouterLaureat(commune.cumul, l);
        commune.imports.add(l.importId);
        releve.importIds.add(l.importId);
        releve.nbLaureats += 1;
      }
    },
    resultat: (): ReleveLaureats => releve,
  };
}

/**
 * Everything a recompute produces: the document of `GET /agregats`, and each region's and each
 * territory's aggregate as its own route gives it (dated like the whole, with the imports of its own
 * laureates as sources).
 */
export interface ResultatAgregats {
  agregats: Agregats;
  regions: AgregatRegionDate[];
  territoires: AgregatTerritoire[];
}

interface Compte {
  cumul: Cumul;
  nbTerritoires: number;
  nbFichesAction: number;
  nbLaureatsEnTerritoire: number;
  imports: Set<string>;
}

const compteVide = (): Compte => ({
  cumul: cumulVide(),
  nbTerritoires: 0,
  nbFichesAction: 0,
  nbLaureatsEnTerritoire: 0,
  imports: new Set(),
});

function euros(centimes: number): number {
  if (!Number.isSafeInteger(centimes))
    throw new Error(`Somme hors des entiers exacts : ${centimes} centimes`);
  return enEuros(centimes);
}

/** Integer cents → the API's shape (euros). */
export function agregatDe(c: Compte): Agregat {
  const s = c.cumul;
  return {
    nbTerritoires: c.nbTerritoires,
    nbFichesAction: c.nbFichesAction,
    nbLaureats: s.nb,
    nbLaureatsEnTerritoire: c.nbLaureatsEnTerritoire,
    investissement: euros(s.investissement),
    aideEtat: euros(s.aideEtat),
    aideRegion: euros(s.aideRegion),
    aideTotale: euros(s.aideEtat + s.aideRegion),
    emploisPrevus: s.emplois,
    parTaille: { TPE: s.TPE, PME: s.PME, ETI: s.ETI, GE: s.GE, autre: s.autre },
    parEnjeu: {
      relocalisation: {
        nb: s.relocalisationNb,
        investissement: euros(s.relocalisationInvestissement),
        emplois: s.relocalisationEmplois,
      },
      formation: {
        nb: s.formationNb,
        investissement: euros(s.formationInvestissement),
        emplois: s.formationEmplois,
      },
      transitionEcologique: {
        nb: s.transitionNb,
        investissement: euros(s.transitionInvestissement),
        emplois: s.transitionEmplois,
      },
    },
    enTerritoireFragile: s.fragile,
  };
}

/** The later of two ISO instants (by time, then by text, so that ties are decided the same way). */
function plusRecent(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (ta !== tb) return ta > tb ? a : b;
  return a > b ? a : b;
}

const parTexte = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function ajouterA<K>(index: Map<K, string[]>, cle: K, valeur: string): void {
  const liste = index.get(cle);
  if (liste) liste.push(valeur);
  else index.set(cle, [valeur]);
}

/**
 * Stage 2. `nbTerritoires`, `nbFichesAction` and `nbLaureatsEnTerritoire` count the territories of the
 * most recent generation in the registry (the labelled territories of the moment: a territory
 * relabelled for 2023-2027 has a new id and must not count twice); a territory over two regions counts
 * in both, once nationally. Each territory of any generation gets its own aggregate, over the
 * laureates of its communes. `sources` are the imports whose laureates are summed; `asOf` the most
 * recent instant among their ends and the territories' and fiches-action's last changes.
 */
export function agreger(entree: {
  releve: ReleveLaureats;
  territoires: readonly TerritoireAgrege[];
  fiches: readonly FichesTerritoire[];
  sources: readonly Source[];
}): ResultatAgregats {
  const { releve } = entree;
  const territoires = [...entree.territoires].sort((a, b) => parTexte(a.id, b.id));
  const generation =
    [...GENERATIONS].reverse().find((g) => territoires.some((t) => t.generation === g)) ?? null;
  const fichesDe = new Map(entree.fiches.map((f) => [f.territoire, f]));

  const communesComptees = new Set<string>();
  const territoiresDeCommune = new Map<string, string[]>();
  for (const t of territoires) {
    for (const commune of t.communes) {
      ajouterA(territoiresDeCommune, commune, t.id);
      if (t.generation === generation) communesComptees.add(commune);
    }
  }

  const national = compteVide();
  const regions = new Map<string, Compte>();
  const region = (code: string) => {
    let c = regions.get(code);
    if (!c) {
      c = compteVide();
      regions.set(code, c);
    }
    return c;
  };
  const parTerritoire = new Map(territoires.map((t) => [t.id, compteVide()]));

  const ajouter = (compte: Compte, cumul: Cumul, imports: ReadonlySet<string>) => {
    fusionner(compte.cumul, cumul);
    for (const id of imports) compte.imports.add(id);
  };
  for (const [cle, { cumul, imports }] of releve.parCommune) {
    const separateur = cle.indexOf('|');
    const codeRegion = cle.slice(0, separateur);
    const codeCommune = cle.slice(separateur + 1);
    const r = region(codeRegion);
    ajouter(national, cumul, imports);
    ajouter(r, cumul, imports);
    if (communesComptees.has(codeCommune)) {
      national.nbLaureatsEnTerritoire += cumul.nb;
      r.nbLaureatsEnTerritoire += cumul.nb;
    }
    for (const id of new Set(territoiresDeCommune.get(codeCommune) ?? [])) {
      const t = parTerritoire.get(id) as Compte;
      ajouter(t, cumul, imports);
      t.nbLaureatsEnTerritoire += cumul.nb;
    }
  }

  let asOf: string | null = null;
  for (const t of territoires) {
    const fiches = fichesDe.get(t.id);
    const nbFiches = fiches?.nb ?? 0;
    asOf = plusRecent(plusRecent(asOf, t.modifieLe), fiches?.derniereModification ?? null);
    const propre = parTerritoire.get(t.id) as Compte;
    propre.nbTerritoires = 1;
    propre.nbFichesAction = nbFiches;
    if (t.generation !== generation) continue;
    national.nbTerritoires += 1;
    national.nbFichesAction += nbFiches;
    for (const code of new Set(t.regions)) {
      const r = region(code);
      r.nbTerritoires += 1;
      r.nbFichesAction += nbFiches;
    }
  }

  const sources = entree.sources
    .filter((s) => releve.importIds.has(s.importId))
    .map((s) => ({ importId: s.importId, fichier: s.fichier, ingereLe: s.ingereLe }))
    .sort((a, b) => Date.parse(a.ingereLe) - Date.parse(b.ingereLe) || parTexte(a.importId, b.importId));
  for (const s of sources) asOf = plusRecent(asOf, s.ingereLe);

  const sourcesDe = (c: Compte) => sources.filter((source) => c.imports.has(source.importId));

  const agregatsRegions: AgregatRegion[] = [...regions.keys()].sort(parTexte).map((code) => ({
    code,
    libelle: nomRegion(code) ?? code,
    ...agregatDe(regions.get(code) as Compte),
  }));
  return {
    agregats: { asOf, sources, generation, national: agregatDe(national), regions: agregatsRegions },
    regions: agregatsRegions.map((r) => ({ asOf, sources: sourcesDe(regions.get(r.code) as Compte), ...r })),
    territoires: territoires.map((t) => {
      const compte = parTerritoire.get(t.id) as Compte;
      return {
        asOf,
        sources: sourcesDe(compte),
        id: t.id,
        nom: t.nom,
        generation: t.generation,
        regions: [...new Set(t.regions)].sort(parTexte),
        ...agregatDe(compte),
      };
    }),
  };
}

/** A region absent from the aggregates (no laureate, no counted territory), dated like the whole. */
export function regionVide(
  agregats: Pick<Agregats, 'asOf'>,
  code: string,
  libelle: string,
): AgregatRegionDate {
  return { asOf: agregats.asOf, sources: [], code, libelle, ...agregatDe(compteVide()) };
}

/** Content hash of a result: equal results, equal hashes (the result is built in a fixed order). */
export const empreinteDe = (resultat: ResultatAgregats): string =>
  createHash('sha256').update(JSON.stringify(resultat)).digest('base64url');

/** All of it at once, for the tests and the benchmark: the fold over in-memory data. */
export function calculerAgregats(entree: {
  laureats: Iterable<LaureatAgrege>;
  territoires: readonly TerritoireAgrege[];
  fiches: readonly FichesTerritoire[];
  sources: readonly Source[];
}): ResultatAgregats {
  const releve = releverLaureats();
  releve.ajouter(entree.laureats);
  return agreger({
    releve: releve.resultat(),
    territoires: entree.territoires,
    fiches: entree.fiches,
    sources: entree.sources,
  });
}

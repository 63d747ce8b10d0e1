import { introuvable } from '../commun/erreurs';
import { nomRegion } from '../geographie/officielle';
import type { ImportLaureats, ImportStore } from '../laureats/ports';
import { agreger, empreinteDe, regionVide, releverLaureats } from './calcul';
import type { AgregatStore, FichierPublie, PublicationAgregats, SourcesAgregats } from './ports';
import {
  type AgregatRegionDate,
  type Agregats,
  type AgregatTerritoire,
  FICHIERS_DONNEES_OUVERTES,
  type FichierDonneesOuvertes,
} from './schema';

export interface DependancesRecalcul {
  sources: SourcesAgregats;
  store: AgregatStore;
  publication: PublicationAgregats;
}

export interface BilanRecalcul {
  empreinte: string;
  /** Whether the DynamoDB items changed (false: the same result as the stored one). */
  ecrit: boolean;
  fichiersEcrits: FichierDonneesOuvertes[];
  nbLaureats: number;
  nbTerritoires: number;
  asOf: string | null;
  durees: { lectureMs: number; calculMs: number; ecritureMs: number };
}

/** How many times a recompute starts over when another one wrote in between. */
const ESSAIS = 3;

/**
 * Recomputes the aggregates from the whole current state and writes what changed: the items of the
 * `/agregats` routes (only when the result's hash differs from the stored one) and the open-data files
 * (only those whose content differs). Running it again on unchanged data writes nothing, so duplicate
 * triggers are harmless.
 */
export async function recalculerAgregats(deps: DependancesRecalcul): Promise<BilanRecalcul> {
  for (let essai = 1; ; essai++) {
    const debut = performance.now();
    const stocke = await deps.store.lire();
    const releve = releverLaureats();
    const [territoires] = await Promise.all([
      deps.sources.territoires(),
      (async () => {
        for await (const page of deps.sources.laureats()) releve.ajouter(page);
      })(),
    ]);
    const releves = releve.resultat();
    const [fiches, sources] = await Promise.all([
      deps.sources.fiches(territoires.map((t) => t.id)),
      deps.sources.imports([...releves.importIds].sort()),
    ]);
    const lu = performance.now();
    const resultat = agreger({ releve: releves, territoires, fiches, sources });
    const empreinte = empreinteDe(resultat);
    const calcule = performance.now();

    let ecrit = false;
    if (empreinte !== stocke?.empreinte) {
      ecrit = await deps.store.enregistrer(resultat, empreinte, stocke?.empreinte);
      if (!ecrit) {
        if (essai >= ESSAIS) throw new Error(`Agrégats : ${ESSAIS} recalculs concurrents d’affilée, abandon`);
        continue;
      }
    }
    const fichiersEcrits = await deps.publication.publier(resultat.agregats);
    return {
      empreinte,
      ecrit,
      fichiersEcrits,
      nbLaureats: releves.nbLaureats,
      nbTerritoires: territoires.length,
      asOf: resultat.agregats.asOf,
      durees: {
        lectureMs: Math.round(lu - debut),
        calculMs: Math.round(calcule - lu),
        ecritureMs: Math.round(performance.now() - calcule),
      },
    };
  }
}

const attendre = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The records of these imports, read at once, by id (`undefined`: no such import). */
export async function lireImports(
  imports: Pick<ImportStore, 'lire'>,
  importIds: readonly string[],
): Promise<Map<string, ImportLaureats | undefined>> {
  const ids = [...new Set(importIds)];
  return new Map(await Promise.all(ids.map(async (id) => [id, await imports.lire(id)] as const)));
}

/**
 * Waits until these imports are ended (their report is written just before the import record is
 * closed). Returns the ids still in progress when `delaiMs` ran out. `lus`: their records just read
 * (`lireImports`), which the first look takes instead of reading them again.
 */
export async function attendreFinImports(
  imports: Pick<ImportStore, 'lire'>,
  importIds: readonly string[],
  options: { delaiMs?: number; pasMs?: number; lus?: ReadonlyMap<string, ImportLaureats | undefined> } = {},
): Promise<string[]> {
  const limite = Date.now() + (options.delaiMs ?? 20_000);
  let lus = options.lus ?? (await lireImports(imports, importIds));
  for (;;) {
    const enCours = [...lus].filter(([, imp]) => imp?.statut === 'en_cours').map(([id]) => id);
    if (enCours.length === 0 || Date.now() >= limite) return enCours;
    await attendre(options.pasMs ?? 250);
    lus = await lireImports(imports, enCours);
  }
}

const PAS_ENCORE =
  'Les agrégats n’ont pas encore été calculés : ils le sont à la fin de chaque import de lauréats, et toutes les heures';

/** `GET /agregats` */
export async function lireAgregats(deps: { store: AgregatStore }): Promise<Agregats> {
  const stocke = await deps.store.lire();
  if (!stocke) throw introuvable(PAS_ENCORE);
  return stocke.agregats;
}

/**
 * `GET /agregats/regions/{code}`: an INSEE region without laureates nor counted territory has zeros
 * (the aggregates are computed); an unknown code is not found.
 */
export async function lireAgregatRegion(
  deps: { store: AgregatStore },
  code: string,
): Promise<AgregatRegionDate> {
  // The official geography's codes: the 18 regions, and the overseas collectivities (975, 987…).
  const libelle = /^\d{2,3}$/.test(code) ? nomRegion(code) : undefined;
  if (!libelle) throw introuvable(`La région ${code} n’existe pas (code INSEE attendu, ex. 32)`);
  const region = await deps.store.lireRegion(code);
  if (region) return region;
  const stocke = await deps.store.lire();
  if (!stocke) throw introuvable(PAS_ENCORE);
  return regionVide(stocke.agregats, code, libelle);
}

/** `GET /agregats/territoires/{id}` */
export async function lireAgregatTerritoire(
  deps: { store: AgregatStore },
  id: string,
): Promise<AgregatTerritoire> {
  const territoire = /^[a-z0-9-]{1,64}$/.test(id) ? await deps.store.lireTerritoire(id) : undefined;
  if (!territoire)
    throw introuvable(
      `Aucun agrégat pour le territoire ${id} (territoire inconnu, ou agrégats pas encore calculés)`,
    );
  return territoire;
}

/** `GET /open-data/agregats/{fichier}`: one of the published files. */
export async function lireFichierOuvert(
  deps: { publication: Pick<PublicationAgregats, 'lire'> },
  fichier: string,
): Promise<FichierPublie & { nom: FichierDonneesOuvertes }> {
  const nom = FICHIERS_DONNEES_OUVERTES.find((f) => f === fichier);
  if (!nom) {
    throw introuvable(
      `Fichier ${fichier} inconnu : ${FICHIERS_DONNEES_OUVERTES.map((f) => `agregats/${f}`).join(', ')}`,
    );
  }
  const publie = await deps.publication.lire(nom);
  if (!publie) throw introuvable(PAS_ENCORE);
  return { nom, ...publie };
}

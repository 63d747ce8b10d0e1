import type { Campagne } from '../campagnes/campagne';
import { exigerFenetreOuverte } from '../campagnes/campagne';
import { exigerAccesRegions, type Operateur, regionVisible } from '../commun/acces';
import { conflit, interdit, introuvable, regleMetier, versionPerimee } from '../commun/erreurs';
import { champsModifies } from '../commun/modifications';
import type { CampagneStore, CandidatureStore, Horloge } from './ports';
import { verifierCandidature } from './regles';
import type { Candidature, CandidatureSaisie, FiltreCandidatures, Modification } from './schema';

export interface DependancesDepot {
  candidatures: CandidatureStore;
  campagnes: CampagneStore;
  horloge: Horloge;
  /**
   * The new candidature's id: derived from the source and its Idempotency-Key when the form sends one
   * (a retry after a lost answer finds the same id), random otherwise.
   */
  nouvelId: () => string;
}

/** Only the submitted fields, in a stable order, whatever the stored item carries besides. */
function saisieDe(c: Candidature): CandidatureSaisie {
  const {
    id: _id,
    statut: _s,
    regions: _r,
    departements: _d,
    population: _p,
    epcis: _e,
    nbCommunes: _n,
    deposeeLe: _dl,
    modifieeLe: _m,
    source: _src,
    version: _v,
    avis: _a,
    ...saisie
  } = c;
  return saisie;
}

async function campagneOuverte(
  deps: Pick<DependancesDepot, 'campagnes' | 'horloge'>,
  id: string,
): Promise<Campagne> {
  const campagne = await deps.campagnes.lire(id);
  if (!campagne) {
    throw regleMetier('Campagne inconnue', [
      { path: 'campagne', message: `La campagne « ${id} » n'existe pas` },
    ]);
  }
  exigerFenetreOuverte(campagne, deps.horloge.maintenant());
  return campagne;
}

/** The candidature a form source owns (it alone may amend it or attach letters to it). */
export async function candidatureDeLaSource(
  deps: { candidatures: CandidatureStore },
  id: string,
  source: string,
): Promise<Candidature> {
  const existante = await deps.candidatures.lire(id);
  if (!existante) throw introuvable(`La candidature ${id} n'existe pas`);
  if (existante.source !== source) throw interdit('Cette candidature a été déposée par une autre source');
  return existante;
}

/** Submits a candidature while its campaign's window is open. */
export async function deposerCandidature(
  deps: DependancesDepot,
  saisie: CandidatureSaisie,
  source: string,
): Promise<Candidature> {
  const campagne = await campagneOuverte(deps, saisie.campagne);
  const derive = verifierCandidature(saisie, campagne);
  const maintenant = deps.horloge.maintenant().toISOString();
  const candidature: Candidature = {
    ...saisie,
    id: deps.nouvelId(),
    statut: 'deposee',
    regions: derive.regions,
    departements: derive.departements,
    population: derive.population,
    epcis: derive.epcis,
    nbCommunes: derive.nbCommunes,
    deposeeLe: maintenant,
    modifieeLe: maintenant,
    source,
    version: 1,
    avis: [],
  };
  const modification: Modification = {
    version: 1,
    date: maintenant,
    source,
    action: 'depot',
    champs: Object.keys(saisie).sort(),
  };
  if (await deps.candidatures.creer(candidature, modification)) return candidature;
  // The id is taken: derived from the form's Idempotency-Key (see `nouvelId`), by an earlier attempt with
  // this key whose answer was lost along with its idempotency record. The same submission gets what was
  // stored, never a second candidature; another one under the same key is refused.
  const deja = await deps.candidatures.lire(candidature.id);
  if (deja && deja.source === source && champsModifies(saisieDe(deja), saisie).length === 0) return deja;
  throw conflit('Cette clé d’idempotence a déjà servi pour une autre candidature');
}

/**
 * Amends a candidature while the window is open. `versionAttendue` comes from `If-Match`: when
 * given, a stale one is refused (412); when absent, a concurrent write is refused (409).
 */
export async function modifierCandidature(
  deps: Omit<DependancesDepot, 'nouvelId'>,
  id: string,
  saisie: CandidatureSaisie,
  source: string,
  versionAttendue: number | undefined,
): Promise<Candidature> {
  const existante = await candidatureDeLaSource(deps, id, source);
  if (versionAttendue !== undefined && versionAttendue !== existante.version) {
    throw versionPerimee(
      `La candidature est à la version ${existante.version}, pas ${versionAttendue} : relisez-la avant de la modifier`,
    );
  }
  if (saisie.campagne !== existante.campagne) {
    throw regleMetier('Changement de campagne impossible', [
      { path: 'campagne', message: `La candidature appartient à la campagne « ${existante.campagne} »` },
    ]);
  }
  const campagne = await campagneOuverte(deps, existante.campagne);
  if (existante.statut !== 'deposee') {
    throw conflit(`La candidature est ${existante.statut} : elle ne peut plus être modifiée`);
  }
  const derive = verifierCandidature(saisie, campagne);
  const maintenant = deps.horloge.maintenant().toISOString();
  const version = existante.version + 1;
  const candidature: Candidature = {
    ...saisie,
    id,
    statut: existante.statut,
    regions: derive.regions,
    departements: derive.departements,
    population: derive.population,
    epcis: derive.epcis,
    nbCommunes: derive.nbCommunes,
    deposeeLe: existante.deposeeLe,
    modifieeLe: maintenant,
    source,
    version,
    avis: existante.avis,
  };
  const modification: Modification = {
    version,
    date: maintenant,
    source,
    action: 'modification',
    champs: champsModifies(saisieDe(existante), saisie),
  };
  if (!(await deps.candidatures.remplacer(candidature, modification, existante.version))) {
    if (versionAttendue !== undefined) {
      throw versionPerimee(
        'La candidature vient d’être modifiée par ailleurs : relisez-la avant de la modifier',
      );
    }
    throw conflit('La candidature vient d’être modifiée par ailleurs : réessayez');
  }
  return candidature;
}

/** One candidature with its history, for a national operator or one of its regions'. */
export async function lireCandidature(
  deps: { candidatures: CandidatureStore },
  id: string,
  operateur: Operateur,
) {
  const candidature = await deps.candidatures.lire(id);
  if (!candidature) throw introuvable(`La candidature ${id} n'existe pas`);
  exigerAccesRegions(operateur, candidature.regions);
  return { ...candidature, historique: await deps.candidatures.historique(id) };
}

export async function listerCandidatures(
  deps: { candidatures: CandidatureStore },
  filtre: FiltreCandidatures,
  operateur: Operateur,
) {
  const region = regionVisible(operateur, filtre.region);
  return deps.candidatures.lister({ ...filtre, region }, filtre.limit, filtre.cursor);
}

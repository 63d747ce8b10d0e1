import { dernierJourProgramme } from '../campagnes/campagne';
import type { CampagneStore, Horloge } from '../candidatures/ports';
import { exigerAccesRegions, type Operateur } from '../commun/acces';
import { conflit, interdit, introuvable, versionPerimee } from '../commun/erreurs';
import { champsModifies } from '../commun/modifications';
import { enEuros } from '../commun/montants';
import type { TerritoireStore } from '../territoires/ports';
import { FIN_GENERATION, type Territoire } from '../territoires/schema';
import { territoireLabellise } from '../territoires/service';
import type { FicheActionStore } from './ports';
import { besoinFinancementCentimes, verifierFiche } from './regles';
import type {
  EvenementFiche,
  FicheAction,
  FicheActionSaisie,
  FiltreFichesTerritoire,
  InstructionFiche,
} from './schema';

export interface DependancesFiches {
  fiches: FicheActionStore;
  territoires: TerritoireStore;
  campagnes: CampagneStore;
  horloge: Horloge;
}

/**
 * The last day an action of this territory may be planned for: its campaign's `finProgramme` when
 * it came from a labelled candidature, otherwise the end of its generation (2027-12-31 for 2023-2027).
 */
export async function finProgrammeDe(
  deps: { campagnes: CampagneStore },
  territoire: Territoire,
): Promise<string> {
  if (territoire.source.type === 'candidature') {
    const campagne = await deps.campagnes.lire(territoire.source.campagne);
    if (campagne) return dernierJourProgramme(campagne);
  }
  return FIN_GENERATION[territoire.generation];
}

function saisieDe(f: FicheAction): FicheActionSaisie {
  const {
    id: _id,
    territoire: _t,
    statut: _s,
    besoinFinancement: _b,
    deposeeLe: _d,
    modifieeLe: _m,
    source: _src,
    version: _v,
    instruction: _i,
    ...saisie
  } = f;
  return saisie;
}

async function ficheDeLaSource(
  deps: { fiches: FicheActionStore },
  id: string,
  source: string,
): Promise<FicheAction> {
  const fiche = await deps.fiches.lire(id);
  if (!fiche) throw introuvable(`La fiche-action ${id} n'existe pas`);
  if (fiche.source !== source) throw interdit('Cette fiche-action a été déposée par une autre source');
  return fiche;
}

function exigerVersion(fiche: FicheAction, versionAttendue: number | undefined): void {
  if (versionAttendue !== undefined && versionAttendue !== fiche.version) {
    throw versionPerimee(
      `La fiche-action est à la version ${fiche.version}, pas ${versionAttendue} : relisez-la avant de la modifier`,
    );
  }
}

async function remplacer(
  deps: { fiches: FicheActionStore },
  fiche: FicheAction,
  evenement: EvenementFiche,
  versionLue: number,
  versionAttendue: number | undefined,
): Promise<FicheAction> {
  if (await deps.fiches.remplacer(fiche, evenement, versionLue)) return fiche;
  if (versionAttendue !== undefined) {
    throw versionPerimee(
      'La fiche-action vient d’être modifiée par ailleurs : relisez-la avant de la modifier',
    );
  }
  throw conflit('La fiche-action vient d’être modifiée par ailleurs : réessayez');
}

/** `POST /territoires/{id}/fiches-action`: a labelled territory submits one action of its plan. */
export async function deposerFiche(
  deps: DependancesFiches & { nouvelId: () => string },
  territoireId: string,
  saisie: FicheActionSaisie,
  source: string,
): Promise<FicheAction> {
  const territoire = await territoireLabellise(deps, territoireId);
  verifierFiche(saisie, await finProgrammeDe(deps, territoire));
  const maintenant = deps.horloge.maintenant().toISOString();
  const fiche: FicheAction = {
    ...saisie,
    id: deps.nouvelId(),
    territoire: territoire.id,
    statut: 'deposee',
    besoinFinancement: enEuros(besoinFinancementCentimes(saisie.financement)),
    deposeeLe: maintenant,
    modifieeLe: maintenant,
    source,
    version: 1,
  };
  await deps.fiches.creer(fiche, {
    version: 1,
    date: maintenant,
    auteur: source,
    action: 'depot',
    statut: 'deposee',
    champs: Object.keys(saisie).sort(),
  });
  return fiche;
}

/**
 * `PUT /fiches-action/{id}`: the source that submitted the fiche amends it. `versionAttendue` comes
 * from `If-Match` (412 when stale). An amended fiche goes back to `deposee`: the region reviews it again.
 */
export async function modifierFiche(
  deps: DependancesFiches,
  id: string,
  saisie: FicheActionSaisie,
  source: string,
  versionAttendue: number | undefined,
): Promise<FicheAction> {
  const existante = await ficheDeLaSource(deps, id, source);
  exigerVersion(existante, versionAttendue);
  const territoire = await territoireLabellise(deps, existante.territoire);
  verifierFiche(saisie, await finProgrammeDe(deps, territoire));
  const maintenant = deps.horloge.maintenant().toISOString();
  const version = existante.version + 1;
  const { instruction, ...reste } = existante;
  const fiche: FicheAction = {
    ...reste,
    ...saisie,
    statut: 'deposee',
    besoinFinancement: enEuros(besoinFinancementCentimes(saisie.financement)),
    modifieeLe: maintenant,
    version,
    ...(instruction ? { instruction } : {}),
  };
  const evenement: EvenementFiche = {
    version,
    date: maintenant,
    auteur: source,
    action: 'modification',
    statut: 'deposee',
    champs: champsModifies(saisieDe(existante), saisie),
  };
  return remplacer(deps, fiche, evenement, existante.version, versionAttendue);
}

/** The fiche and its territory, for an operator allowed to see it (national, or of one of its regions). */
async function ficheVisible(
  deps: { fiches: FicheActionStore; territoires: TerritoireStore },
  id: string,
  operateur: Operateur,
): Promise<{ fiche: FicheAction; territoire: Territoire }> {
  const fiche = await deps.fiches.lire(id);
  if (!fiche) throw introuvable(`La fiche-action ${id} n'existe pas`);
  const territoire = await deps.territoires.lire(fiche.territoire);
  if (!territoire) throw introuvable(`Le territoire ${fiche.territoire} de la fiche-action n'existe plus`);
  exigerAccesRegions(operateur, territoire.regions);
  return { fiche, territoire };
}

/** `GET /fiches-action/{id}`: the fiche with its history. */
export async function lireFiche(
  deps: { fiches: FicheActionStore; territoires: TerritoireStore },
  id: string,
  operateur: Operateur,
) {
  const { fiche } = await ficheVisible(deps, id, operateur);
  return { ...fiche, historique: await deps.fiches.historique(id) };
}

/** `GET /territoires/{id}/fiches-action`. */
export async function listerFichesDuTerritoire(
  deps: { fiches: FicheActionStore; territoires: TerritoireStore },
  territoireId: string,
  filtre: FiltreFichesTerritoire,
  operateur: Operateur,
) {
  const territoire = await deps.territoires.lire(territoireId);
  if (!territoire) throw introuvable(`Le territoire ${territoireId} n'existe pas`);
  exigerAccesRegions(operateur, territoire.regions);
  return deps.fiches.page([territoire.id], {}, filtre.limit, filtre.cursor);
}

/**
 * The regional review: a regional operator of one of the territory's regions validates a submitted
 * fiche or asks for more (with a motive, kept in the history).
 */
export async function instruireFiche(
  deps: { fiches: FicheActionStore; territoires: TerritoireStore; horloge: Horloge },
  id: string,
  instruction: InstructionFiche,
  operateur: Operateur,
  versionAttendue: number | undefined,
): Promise<FicheAction> {
  if (operateur.role !== 'regional') {
    throw interdit(
      "L'instruction des fiches-action revient à l'opérateur régional de la région du territoire",
    );
  }
  const { fiche: existante } = await ficheVisible(deps, id, operateur);
  exigerVersion(existante, versionAttendue);
  if (existante.statut !== 'deposee') {
    throw conflit(
      `La fiche-action est ${existante.statut === 'validee' ? 'déjà validée' : 'à compléter'} : seule une fiche déposée s'instruit`,
    );
  }
  const maintenant = deps.horloge.maintenant().toISOString();
  const version = existante.version + 1;
  const fiche: FicheAction = {
    ...existante,
    statut: instruction.decision,
    modifieeLe: maintenant,
    version,
    instruction: {
      decision: instruction.decision,
      ...(instruction.motif ? { motif: instruction.motif } : {}),
      par: operateur.id,
      le: maintenant,
    },
  };
  const evenement: EvenementFiche = {
    version,
    date: maintenant,
    auteur: operateur.id,
    action: instruction.decision === 'validee' ? 'validation' : 'demande_complements',
    statut: instruction.decision,
    ...(instruction.motif ? { motif: instruction.motif } : {}),
  };
  return remplacer(deps, fiche, evenement, existante.version, versionAttendue);
}

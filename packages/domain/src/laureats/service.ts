import { exigerNational, type Operateur, regionVisible } from '../commun/acces';
import { introuvable } from '../commun/erreurs';
import { enEuros } from '../commun/montants';
import type {
  DepotImports,
  ImportLaureats,
  ImportStore,
  LaureatStocke,
  LaureatStore,
  RapportsImport,
  Signalement,
} from './ports';
import {
  type DemandeImport,
  type FiltreLaureats,
  type ImportDemande,
  type Laureat,
  type RapportImport,
  SIGNALEMENTS_MAX_API,
} from './schema';

/** A stored laureate as the API shows it: amounts back in euros. */
export function vueLaureat(s: LaureatStocke): Laureat {
  const { investissementCentimes, aideEtatCentimes, aideRegionCentimes, ...d } = s.donnees;
  return {
    identifiantProjet: d.identifiantProjet,
    dispositif: d.dispositif,
    dateDecision: d.dateDecision,
    raisonSociale: d.raisonSociale,
    siret: d.siret,
    categorie: d.categorie,
    codeNaf: d.codeNaf,
    intitule: d.intitule,
    codeCommune: d.codeCommune,
    codeRegion: d.codeRegion,
    territoires: d.territoires,
    investissement: enEuros(investissementCentimes),
    aideEtat: enEuros(aideEtatCentimes),
    aideRegion: enEuros(aideRegionCentimes),
    emploisPrevus: d.emploisPrevus,
    relocalisation: d.relocalisation,
    formation: d.formation,
    transitionEcologique: d.transitionEcologique,
    enjeuxTE: d.enjeuxTE,
    territoireFragile: d.territoireFragile,
    importId: s.importId,
  };
}

async function premiers(source: AsyncIterable<Signalement>): Promise<Signalement[]> {
  const liste: Signalement[] = [];
  for await (const s of source) {
    liste.push(s);
    if (liste.length >= SIGNALEMENTS_MAX_API) break;
  }
  return liste;
}

/** The report of an import as the API and the report file give it. */
export function rapportDe(
  imp: ImportLaureats,
  rejets: readonly Signalement[],
  avertissements: readonly Signalement[],
): RapportImport {
  return {
    importId: imp.importId,
    fichier: imp.fichier,
    statut: imp.statut,
    debut: imp.debut,
    ...(imp.fin ? { fin: imp.fin } : {}),
    lignes: imp.lignes,
    rejets: rejets.map((r) => ({
      ligne: r.ligne,
      ...(r.colonne ? { colonne: r.colonne } : {}),
      motif: r.motif,
    })),
    avertissements: avertissements.map((a) => ({ ligne: a.ligne, motif: a.motif })),
    ...(imp.colonnesManquantes ? { colonnesManquantes: imp.colonnesManquantes } : {}),
    nbRejets: imp.nbRejets,
    nbAvertissements: imp.nbAvertissements,
  };
}

/** `GET /laureats/imports/{id}`: any operator may follow an import (it holds no personal data). */
export async function lireImport(
  deps: { imports: ImportStore; rapports: RapportsImport },
  importId: string,
  _operateur: Operateur,
): Promise<RapportImport> {
  const imp = await deps.imports.lire(importId);
  if (!imp) {
    throw introuvable(`L'import ${importId} n'existe pas (ou son fichier n'a pas encore été déposé)`);
  }
  const [rejets, avertissements] = await Promise.all([
    premiers(deps.imports.signalements(importId, 'rejet', SIGNALEMENTS_MAX_API)),
    premiers(deps.imports.signalements(importId, 'avertissement', SIGNALEMENTS_MAX_API)),
  ]);
  const rapport = rapportDe(imp, rejets, avertissements);
  if (imp.statut === 'en_cours') {
    return {
      ...rapport,
      progression: { ligne: imp.curseur, octetsLus: imp.octetsLus, taille: imp.objet.taille },
    };
  }
  return imp.rapport ? { ...rapport, rapport: await deps.rapports.liens(imp.rapport) } : rapport;
}

/** `GET /laureats?region=&territoire=`: a regional operator sees its own region's laureates. */
export async function listerLaureats(
  deps: { laureats: LaureatStore },
  filtre: FiltreLaureats,
  operateur: Operateur,
): Promise<{ items: Laureat[]; nextCursor: string | null }> {
  const region = regionVisible(operateur, filtre.region);
  const page = await deps.laureats.lister(
    { region, territoire: filtre.territoire },
    filtre.limit,
    filtre.cursor,
  );
  return { items: page.items.map(vueLaureat), nextCursor: page.nextCursor };
}

/**
 * `POST /laureats/imports` (national operators): a presigned PUT for the file; its upload starts
 * the ingestion, whose report is read under the id returned here.
 */
export async function demanderImport(
  deps: { depot: DepotImports; nouvelId: () => string },
  demande: DemandeImport,
  operateur: Operateur,
): Promise<ImportDemande> {
  exigerNational(operateur);
  const importId = deps.nouvelId();
  const { uploadUrl, expiresAt } = await deps.depot.urlDeDepot(importId, demande.fichier);
  return { importId, uploadUrl, expiresAt };
}

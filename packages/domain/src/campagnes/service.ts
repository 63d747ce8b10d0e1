import type { CampagneStore, CandidatureStore, Horloge } from '../candidatures/ports';
import { exigerNational, type Operateur } from '../commun/acces';
import { conflit, introuvable } from '../commun/erreurs';
import { type Campagne, type CampagneDates, datesDe, phaseCourante, verifierCalendrier } from './campagne';

/**
 * Creates or updates a campaign's dates (national operators): a new version. Returns whether it was
 * created, and the version it replaces (with where its calendar stood).
 */
export async function enregistrerCampagne(
  deps: { campagnes: CampagneStore; horloge: Horloge },
  id: string,
  dates: CampagneDates,
  operateur: Operateur,
) {
  exigerNational(operateur);
  verifierCalendrier(dates);
  const existante = await deps.campagnes.lire(id);
  const maintenant = deps.horloge.maintenant().toISOString();
  const campagne: Campagne = {
    ...datesDe(dates),
    id,
    version: (existante?.version ?? 0) + 1,
    creeeLe: existante?.creeeLe ?? maintenant,
    modifieeLe: maintenant,
  };
  if (!(await deps.campagnes.enregistrer(campagne, existante?.version))) {
    throw conflit('La campagne vient d’être modifiée par ailleurs : réessayez');
  }
  return { campagne, creee: existante === undefined, precedente: existante };
}

/** The campaign, its current phase and, per region, how many candidatures and opinions are in. */
export async function lireCampagne(
  deps: { campagnes: CampagneStore; candidatures: CandidatureStore; horloge: Horloge },
  id: string,
  operateur: Operateur,
) {
  const campagne = await deps.campagnes.lire(id);
  if (!campagne) throw introuvable(`La campagne ${id} n'existe pas`);
  const regions = (await deps.candidatures.compterParRegion(id)).filter(
    (r) => operateur.role === 'national' || r.code === operateur.region,
  );
  return {
    id: campagne.id,
    version: campagne.version,
    ...datesDe(campagne),
    creeeLe: campagne.creeeLe,
    modifieeLe: campagne.modifieeLe,
    phase: phaseCourante(campagne, deps.horloge.maintenant()),
    regions,
    ...(campagne.calendrier ? { calendrier: campagne.calendrier } : {}),
  };
}

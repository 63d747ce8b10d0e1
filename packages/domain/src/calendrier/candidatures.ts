import type { CandidatureStore } from '../candidatures/ports';
import type { Candidature, Modification } from '../candidatures/schema';
import { conflit } from '../commun/erreurs';
import { toutesLesPages } from '../commun/parallele';
import { EMETTEURS, type Emetteur } from './schema';

/** Every candidature of a campaign (optionally of one region), page after page. */
export async function candidaturesDe(
  store: CandidatureStore,
  campagne: string,
  region?: string,
): Promise<Candidature[]> {
  return toutesLesPages((cursor) => store.lister({ campagne, ...(region ? { region } : {}) }, 100, cursor));
}

/** The bodies whose opinion is still missing on a candidature (a "non rendu" counts as in). */
export const emetteursManquants = (c: Candidature): Emetteur[] =>
  EMETTEURS.filter((e) => !c.avis.some((a) => a.emetteur === e));

/**
 * Whether every candidature of the region has both opinions. `fraiche` is a candidature just written,
 * which an index read may not show yet.
 */
export async function regionComplete(
  store: CandidatureStore,
  campagne: string,
  region: string,
  fraiche?: Candidature,
): Promise<boolean> {
  const candidatures = await candidaturesDe(store, campagne, region);
  return candidatures
    .map((c) => (fraiche && c.id === fraiche.id ? fraiche : c))
    .every((c) => emetteursManquants(c).length === 0);
}

const ESSAIS = 5;

/**
 * Changes a candidature written by several actors at once (operators' opinions, the calendar), with its
 * optimistic concurrency: re-read and re-apply when another write came first. `changer` returns the
 * fields to change and the history entry, or undefined when there is nothing to do.
 */
export async function modifierCandidature(
  store: CandidatureStore,
  id: string,
  changer: (
    c: Candidature,
  ) => { champs: Partial<Candidature>; action: Modification['action']; source: string } | undefined,
  maintenant: () => Date,
): Promise<Candidature> {
  for (let essai = 0; essai < ESSAIS; essai++) {
    const lue = await store.lire(id);
    if (!lue) throw conflit(`La candidature ${id} n'existe plus`);
    const changement = changer(lue);
    if (!changement) return lue;
    const date = maintenant().toISOString();
    const version = lue.version + 1;
    const candidature: Candidature = { ...lue, ...changement.champs, modifieeLe: date, version };
    const modification: Modification = {
      version,
      date,
      source: changement.source,
      action: changement.action,
      champs: Object.keys(changement.champs).sort(),
    };
    if (await store.remplacer(candidature, modification, lue.version)) return candidature;
  }
  throw conflit(`La candidature ${id} est modifiée par ailleurs en ce moment : réessayez`);
}

import type { Horloge } from '../candidatures/ports';
import type { Candidature } from '../candidatures/schema';
import { conflit } from '../commun/erreurs';
import { derivePerimetre, epci } from '../geographie/officielle';
import type { TerritoireStore } from './ports';
import { type ContenuTerritoire, GENERATION_COURANTE, type Generation, type Territoire } from './schema';
import { territoireEnregistrable } from './territoire';

/** The id of the territory a labelled candidature becomes: stable, so a retry finds the same one. */
export const idTerritoireDeCandidature = (candidatureId: string) => `ti-${candidatureId}`;

/** A labelled candidature's perimeter as a territory: every member commune of its EPCIs. */
export function territoireDepuisCandidature(
  candidature: Candidature,
  generation: Generation,
): ContenuTerritoire {
  const epcis = candidature.perimetre.epcis
    .map((siren) => epci(siren))
    .filter((e) => e !== undefined)
    .sort((a, b) => a.siren.localeCompare(b.siren));
  const perimetre = derivePerimetre(epcis);
  return {
    id: idTerritoireDeCandidature(candidature.id),
    nom: candidature.nomTerritoire,
    generation,
    epcis: perimetre.epcis,
    communes: [...new Set(epcis.flatMap((e) => e.communes))].sort(),
    regions: perimetre.regions,
    departements: perimetre.departements,
    population: perimetre.population,
    source: { type: 'candidature', candidature: candidature.id, campagne: candidature.campagne },
  };
}

/**
 * For the selection calendar: the territory a labelled candidature becomes. Idempotent: when it
 * already exists it is returned as it is.
 */
export async function creerTerritoireLabellise(
  deps: { territoires: TerritoireStore; horloge: Horloge },
  candidature: Candidature,
  generation: Generation = GENERATION_COURANTE,
): Promise<Territoire> {
  if (candidature.statut !== 'labellisee') {
    throw conflit(
      `La candidature ${candidature.id} est ${candidature.statut} : seul un territoire labellisé est créé`,
    );
  }
  const id = idTerritoireDeCandidature(candidature.id);
  const existant = await deps.territoires.lire(id);
  if (existant) return existant;
  const territoire = territoireEnregistrable(
    territoireDepuisCandidature(candidature, generation),
    undefined,
    deps.horloge.maintenant().toISOString(),
  );
  if (!(await deps.territoires.enregistrer(territoire, undefined))) {
    // Another call created it in the meantime: the same candidature gives the same territory.
    const cree = await deps.territoires.lire(id);
    if (cree) return cree;
    throw conflit(`Le territoire ${id} n'a pas pu être créé : réessayez`);
  }
  return territoire;
}

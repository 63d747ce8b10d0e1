import type { ContenuTerritoire, Territoire, TerritoireResume } from './schema';

/**
 * The defining fields as arrays in a fixed order, so that equal contents compare equal whatever the
 * order of the keys (DynamoDB does not keep the order of a map's keys).
 */
function cleDeContenu(c: ContenuTerritoire): string {
  const source =
    c.source.type === 'candidature'
      ? [c.source.type, c.source.candidature, c.source.campagne]
      : [c.source.type];
  return JSON.stringify([
    c.id,
    c.nom,
    c.generation,
    c.epcis.map((e) => [e.siren, e.nom, e.type]),
    c.communes,
    c.regions,
    c.departements,
    c.population,
    source,
  ]);
}

/** Whether the stored territory already has this content (then nothing is written). */
export const memeContenu = (stocke: Territoire, contenu: ContenuTerritoire) =>
  cleDeContenu(stocke) === cleDeContenu(contenu);

/** The territory to store: the new content, the next version, the creation date kept. */
export function territoireEnregistrable(
  contenu: ContenuTerritoire,
  precedent: Territoire | undefined,
  maintenant: string,
): Territoire {
  return {
    ...contenu,
    nbCommunes: contenu.communes.length,
    creeLe: precedent?.creeLe ?? maintenant,
    modifieLe: maintenant,
    version: (precedent?.version ?? 0) + 1,
  };
}

export function resumeDe(t: Territoire): TerritoireResume {
  const { communes: _communes, ...resume } = t;
  return resume;
}

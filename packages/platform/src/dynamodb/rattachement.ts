import type { Rattachement } from '@ti/domain/laureats/ports';
import type { TerritoireStore } from '@ti/domain/territoires/ports';
import { tousLesTerritoires } from '@ti/domain/territoires/service';

/**
 * The commune → territories lookup of the laureates' ingestion, over the territories registry: the
 * registry is read once, when the first commune is asked for (a few hundred territories: a handful of
 * paged reads and batched gets, against one query per commune for the registry's own
 * `territoiresDeCommunes`), and the import is then derived from that one picture of it, even if
 * territories are imported meanwhile. Create one per import.
 */
export function rattachementParInstantane(territoires: TerritoireStore): Rattachement {
  let instantane: Promise<Map<string, string[]>> | undefined;

  async function charger(): Promise<Map<string, string[]>> {
    const parCommune = new Map<string, string[]>();
    for (const t of await tousLesTerritoires(territoires)) {
      for (const commune of t.communes) {
        const liste = parCommune.get(commune);
        if (liste) liste.push(t.id);
        else parCommune.set(commune, [t.id]);
      }
    }
    for (const liste of parCommune.values()) liste.sort();
    return parCommune;
  }

  return {
    async territoiresDe(codes) {
      instantane ??= charger();
      const parCommune = await instantane;
      return new Map(codes.map((code) => [code, parCommune.get(code) ?? []]));
    },
  };
}

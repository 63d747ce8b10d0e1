import { retrouverCommune } from '../geographie/communes';
import type { TerritoireStore } from './ports';
import type { Generation } from './schema';

/**
 * Which territories contain each commune, for the laureates' ingestion and the aggregates. Codes
 * are read as files carry them (lost leading zero, merged commune, arrondissement); the result is
 * keyed by the code as given, with `[]` for a commune in no territory or unknown.
 */
export async function territoiresDeCommunes(
  deps: { territoires: TerritoireStore },
  codes: readonly string[],
  generation?: Generation,
): Promise<Map<string, string[]>> {
  const actuels = new Map<string, string>();
  for (const code of new Set(codes)) {
    const trouvee = retrouverCommune(code);
    if (trouvee) actuels.set(code, trouvee.commune.code);
  }
  const index = await deps.territoires.territoiresDeCommunes([...new Set(actuels.values())], generation);
  return new Map(
    [...new Set(codes)].map((code) => {
      const actuel = actuels.get(code);
      return [code, actuel ? (index.get(actuel) ?? []) : []];
    }),
  );
}

/**
 * The official communes (`@etalab/decoupage-administratif`, derived by `npm run geo:build`): INSEE
 * code → name, département, population and EPCI, plus the codes of merged communes. Kept apart from
 * `officielle.ts` so that functions which do not need communes do not bundle these 1.7 MB.
 */
import communesData from './data/communes.json' with { type: 'json' };
import { regionDuDepartement } from './officielle';

export interface Commune {
  code: string;
  nom: string;
  departement: string;
  region: string | undefined;
  population: number;
  /** SIREN of its EPCI à fiscalité propre; undefined for the few single-commune islands. */
  epci: string | undefined;
}

type CommuneBrute = [nom: string, departement: string, population: number, epci: string];

const communes = communesData.communes as unknown as Record<string, CommuneBrute>;
const anciensCodes = communesData.anciensCodes as Record<string, string>;

/** Municipal arrondissements are not communes: their city is (Paris, Marseille, Lyon). */
const ARRONDISSEMENTS: { de: number; a: number; commune: string }[] = [
  { de: 75101, a: 75120, commune: '75056' },
  { de: 13201, a: 13216, commune: '13055' },
  { de: 69381, a: 69389, commune: '69123' },
];

/** A current commune by its INSEE code (5 characters, as a string). */
export function commune(code: string): Commune | undefined {
  const brute = Object.hasOwn(communes, code) ? communes[code] : undefined;
  if (!brute) return undefined;
  const [nom, departement, population, epci] = brute;
  return {
    code,
    nom,
    departement,
    region: regionDuDepartement(departement),
    population,
    epci: epci || undefined,
  };
}

/** Why the code read is not the one kept. */
export type CorrectionCode = 'zero_initial' | 'ancien_code' | 'arrondissement';

export interface CommuneRetrouvee {
  commune: Commune;
  correction?: CorrectionCode;
}

/**
 * The current commune behind a code as files carry it: trimmed, with the leading zero a spreadsheet
 * dropped (`1283` → `01283`), a merged commune's old code (→ the new commune), or a municipal
 * arrondissement (→ its city). Undefined when the geography knows no such commune.
 */
export function retrouverCommune(brut: string): CommuneRetrouvee | undefined {
  let code = brut.trim().toUpperCase();
  let correction: CorrectionCode | undefined;
  if (/^\d{4}$/.test(code)) {
    code = `0${code}`;
    correction = 'zero_initial';
  }
  if (!/^(\d{5}|2[AB]\d{3})$/.test(code)) return undefined;
  const actuelle = commune(code);
  if (actuelle) return correction ? { commune: actuelle, correction } : { commune: actuelle };
  const nouveau = Object.hasOwn(anciensCodes, code) ? anciensCodes[code] : undefined;
  const fusionnee = nouveau ? commune(nouveau) : undefined;
  if (fusionnee) return { commune: fusionnee, correction: 'ancien_code' };
  const n = Number(code);
  const arrondissement = ARRONDISSEMENTS.find((a) => n >= a.de && n <= a.a);
  const ville = arrondissement ? commune(arrondissement.commune) : undefined;
  if (ville) return { commune: ville, correction: 'arrondissement' };
  return undefined;
}

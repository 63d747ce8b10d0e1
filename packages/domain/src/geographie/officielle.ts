/**
 * The official geography (`@etalab/decoupage-administratif`, derived by `npm run geo:build`):
 * EPCIs with their member communes, départements and regions.
 */
import epcisData from './data/epcis.json' with { type: 'json' };
import territoireData from './data/territoire.json' with { type: 'json' };

export type TypeEpci = 'CC' | 'CA' | 'CU' | 'METRO' | 'MET69';

export interface Epci {
  siren: string;
  nom: string;
  type: TypeEpci;
  population: number;
  departements: string[];
  regions: string[];
  communes: string[];
}

type EpciBrut = [nom: string, type: string, population: number, departements: string[], communes: string[]];

const epcis = epcisData as unknown as Record<string, EpciBrut>;
const regions = territoireData.regions as Record<string, string>;
const departements = territoireData.departements as unknown as Record<string, [nom: string, region: string]>;

/** Région of a département, by INSEE code. */
export function regionDuDepartement(codeDepartement: string): string | undefined {
  return departements[codeDepartement]?.[1];
}

export function nomRegion(code: string): string | undefined {
  return regions[code];
}

export function codesRegions(): string[] {
  return Object.keys(regions).sort();
}

export function epci(siren: string): Epci | undefined {
  const brut = epcis[siren];
  if (!brut) return undefined;
  const [nom, type, population, deps, communes] = brut;
  const regs = [...new Set(deps.map(regionDuDepartement).filter((r): r is string => r !== undefined))].sort();
  return { siren, nom, type: type as TypeEpci, population, departements: deps, regions: regs, communes };
}

/** Metropolises are an exception the FAQ (§2.4) wants justified. */
export const estMetropole = (e: Epci) => e.type === 'METRO' || e.type === 'MET69';

export interface PerimetreDerive {
  epcis: { siren: string; nom: string; type: TypeEpci }[];
  departements: string[];
  regions: string[];
  population: number;
  nbCommunes: number;
}

/** Derives départements, regions and population of a perimeter from its member communes. */
export function derivePerimetre(liste: readonly Epci[]): PerimetreDerive {
  const deps = new Set<string>();
  const regs = new Set<string>();
  let population = 0;
  let nbCommunes = 0;
  for (const e of liste) {
    for (const d of e.departements) deps.add(d);
    for (const r of e.regions) regs.add(r);
    population += e.population;
    nbCommunes += e.communes.length;
  }
  return {
    epcis: liste.map(({ siren, nom, type }) => ({ siren, nom, type })),
    departements: [...deps].sort(),
    regions: [...regs].sort(),
    population,
    nbCommunes,
  };
}

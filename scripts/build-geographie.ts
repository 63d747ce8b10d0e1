/**
 * Derives the compact geography the functions bundle from `@etalab/decoupage-administratif`
 * (its full files weigh 12 MB; the derived ones are what candidatures and imports need).
 * Run after upgrading the package: `npm run geo:build`. A unit test fails when they drift apart.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const outDir = join(dirname(fileURLToPath(import.meta.url)), '../packages/domain/src/geographie/data');

export function deriveGeographie() {
  const communes: EtalabCommune[] = require('@etalab/decoupage-administratif/data/communes.json');
  const epcis: EtalabEpci[] = require('@etalab/decoupage-administratif/data/epci.json');
  const regions: {
    code: string;
    nom: string;
  }[] = require('@etalab/decoupage-administratif/data/regions.json');
  const departements: {
    code: string;
    nom: string;
    region: string;
  }[] = require('@etalab/decoupage-administratif/data/departements.json');

  const actuelles = communes.filter((c) => c.type === 'commune-actuelle');
  const parCode = new Map(actuelles.map((c) => [c.code, c]));
  const epciDeCommune = new Map<string, string>();
  for (const epci of epcis) for (const m of epci.membres) epciDeCommune.set(m.code, epci.code);

  /** code → [nom, département, population, SIREN de l'EPCI ou ""] */
  const communesOut: Record<string, [string, string, number, string]> = {};
  /** ancien code INSEE → code actuel (communes fusionnées) */
  const anciensCodes: Record<string, string> = {};
  for (const c of [...actuelles].sort((a, b) => a.code.localeCompare(b.code))) {
    communesOut[c.code] = [c.nom, c.departement ?? '', c.population ?? 0, epciDeCommune.get(c.code) ?? ''];
    for (const ancien of c.anciensCodes ?? []) if (!parCode.has(ancien)) anciensCodes[ancien] = c.code;
  }

  /** SIREN → [nom, type, population, départements, communes membres] */
  const epcisOut: Record<string, [string, string, number, string[], string[]]> = {};
  for (const e of [...epcis].sort((a, b) => a.code.localeCompare(b.code))) {
    const membres = e.membres.map((m) => parCode.get(m.code)).filter((c) => c !== undefined);
    const population = membres.reduce((total, c) => total + (c.population ?? 0), 0);
    const deps = [...new Set(membres.map((c) => c.departement ?? ''))].filter(Boolean).sort();
    epcisOut[e.code] = [e.nom, e.type, population, deps, membres.map((c) => c.code).sort()];
  }

  return {
    regions: Object.fromEntries(regions.map((r) => [r.code, r.nom])),
    departements: Object.fromEntries(departements.map((d) => [d.code, [d.nom, d.region]])),
    communes: communesOut,
    anciensCodes,
    epcis: epcisOut,
  };
}

interface EtalabCommune {
  code: string;
  nom: string;
  type: string;
  departement?: string;
  population?: number;
  anciensCodes?: string[];
}
interface EtalabEpci {
  code: string;
  nom: string;
  type: string;
  membres: { code: string }[];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const geo = deriveGeographie();
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'territoire.json'),
    JSON.stringify({ regions: geo.regions, departements: geo.departements }),
  );
  writeFileSync(join(outDir, 'epcis.json'), JSON.stringify(geo.epcis));
  writeFileSync(
    join(outDir, 'communes.json'),
    JSON.stringify({ communes: geo.communes, anciensCodes: geo.anciensCodes }),
  );
  console.log(
    `geographie: ${Object.keys(geo.epcis).length} EPCI, ${Object.keys(geo.communes).length} communes, ${Object.keys(geo.regions).length} régions → ${outDir}`,
  );
}

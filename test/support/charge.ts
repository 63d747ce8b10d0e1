/**
 * The load check of issue 7, shared by `npm run bench:load` (5,000 candidatures, with figures) and the
 * integration test (a smaller run, no timing): distinct candidatures posted at a fixed number of requests
 * in flight, then every 201 read back by id and the campaign's candidatures counted in DynamoDB.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { enParallele } from '@ti/domain/commun/parallele';
import { epci } from '@ti/domain/geographie/officielle';
import epcisData from '../../packages/domain/src/geographie/data/epcis.json' with { type: 'json' };
import { type ClientApi, exemple, idsEnBase } from './client';

/** Non-metropolitan EPCIs lying in one region, by region: two of them make a valid perimeter. */
function epcisParRegion(): [string, string[]][] {
  const parRegion = new Map<string, string[]>();
  for (const siren of Object.keys(epcisData).sort()) {
    const e = epci(siren);
    if (!e || e.type === 'METRO' || e.type === 'MET69' || e.regions.length !== 1) continue;
    const region = e.regions[0] as string;
    parRegion.set(region, [...(parRegion.get(region) ?? []), siren]);
  }
  return [...parRegion].filter(([, sirens]) => sirens.length >= 3);
}

let regions: [string, string[]][] | undefined;

/** The i-th candidature of a run: its own name and a perimeter of two real EPCIs of one region. */
function candidatureDeCharge(i: number, campagne: string, prefixe: string) {
  regions ??= epcisParRegion();
  const [region, sirens] = regions[i % regions.length] as [string, string[]];
  const rang = Math.floor(i / regions.length);
  const premier = sirens[rang % sirens.length] as string;
  const second = sirens[(rang + 1 + (rang % (sirens.length - 1))) % sirens.length] as string;
  const epcis = premier === second ? [premier] : [premier, second];
  return {
    ...exemple(),
    campagne,
    nomTerritoire: `${prefixe} ${i}`,
    perimetre: {
      epcis,
      ...(epcis.length === 1 ? { justificationEpciUnique: 'Taille critique atteinte' } : {}),
    },
    regionPilote: region,
  };
}

export interface Mesure {
  status: number;
  ms: number;
  id?: string;
  erreur?: string;
}

export interface ResultatCharge {
  nombre: number;
  connexions: number;
  dureeMs: number;
  mesures: Mesure[];
  statuts: Record<string, number>;
  /** Ids answered with 201. */
  acceptes: string[];
  /** 201 ids not found again, by GET or in DynamoDB. */
  perdus: string[];
  /** Candidatures stored more than once, or stored without a 201 for them. */
  doublons: number;
  /** Candidatures of the campaign in DynamoDB. */
  enBase: number;
  relus: number;
  /** Time to read every 201 back by id (same requests in flight). */
  relectureMs: number;
}

export function percentile(valeurs: readonly number[], p: number): number {
  if (valeurs.length === 0) return 0;
  const tri = [...valeurs].sort((a, b) => a - b);
  return tri[Math.min(tri.length - 1, Math.ceil((p / 100) * tri.length) - 1)] as number;
}

export function compter(mesures: readonly Mesure[]): Record<string, number> {
  const statuts: Record<string, number> = {};
  for (const m of mesures) {
    const cle = m.erreur ? 'erreur' : String(m.status);
    statuts[cle] = (statuts[cle] ?? 0) + 1;
  }
  return statuts;
}

/** `nombre` requests, `connexions` in flight at any time; each bounded by a timeout. */
export async function mesurer(
  nombre: number,
  connexions: number,
  requete: (i: number, signal: AbortSignal) => Promise<{ status: number; id?: string }>,
): Promise<{ mesures: Mesure[]; dureeMs: number }> {
  const debut = performance.now();
  const mesures = await enParallele(
    Array.from({ length: nombre }, (_, i) => i),
    connexions,
    async (i): Promise<Mesure> => {
      const t0 = performance.now();
      try {
        const { status, id } = await requete(i, AbortSignal.timeout(60_000));
        return { status, ms: performance.now() - t0, ...(id ? { id } : {}) };
      } catch (error) {
        return { status: 0, ms: performance.now() - t0, erreur: (error as Error).message };
      }
    },
  );
  return { mesures, dureeMs: performance.now() - debut };
}

/**
 * Posts `nombre` distinct candidatures to an open campaign at `connexions` in flight, then reads every
 * 201 back by id (as an operator) and lists the campaign's candidatures in DynamoDB.
 */
export async function chargerCandidatures(
  client: ClientApi,
  ddb: DynamoDBClient,
  options: { campagne: string; nombre: number; connexions: number; prefixe?: string },
): Promise<ResultatCharge> {
  const { campagne, nombre, connexions } = options;
  const prefixe = options.prefixe ?? 'Territoire de charge';
  const { mesures, dureeMs } = await mesurer(nombre, connexions, async (i, signal) => {
    const r = await client.envoyerSigne('/candidatures', candidatureDeCharge(i, campagne, prefixe), {
      signal,
    });
    return { status: r.status, ...(r.status === 201 ? { id: r.body.id as string } : {}) };
  });
  const acceptes = mesures.flatMap((m) => (m.id ? [m.id] : []));

  const token = await client.jeton('national');
  const debutRelecture = performance.now();
  const relectures = await enParallele(acceptes, connexions, async (id) => {
    const lue = await client.operateur(`/candidatures/${id}`, { token });
    return lue.status === 200 && lue.body.id === id;
  });
  const relectureMs = performance.now() - debutRelecture;
  const enBase = await idsEnBase(ddb, campagne);
  const stockes = new Set(enBase);
  const perdus = acceptes.filter((id, i) => !relectures[i] || !stockes.has(id));
  const attendus = new Set(acceptes);
  const doublons = enBase.length - stockes.size + enBase.filter((id) => !attendus.has(id)).length;
  return {
    nombre,
    connexions,
    dureeMs,
    mesures,
    statuts: compter(mesures),
    acceptes,
    perdus,
    doublons,
    enBase: enBase.length,
    relus: relectures.filter(Boolean).length,
    relectureMs,
  };
}

/**
 * `npm run bench:agregats`: how the aggregates' recompute grows with the number of laureates (1,000,
 * 10,000, 100,000; `BENCH_TAILLES` to change), with synthetic but realistic data: laureates over 5,000
 * real communes, 150 territories of 12 communes, 1,800 fiches-action of about 2 KB. For each size:
 * - the fold alone (`calculerAgregats`, in memory, before the local cloud starts);
 * - on the local cloud (DynamoDB Local, s3rver), reading every laureate from the laureates table's
 *   `parRegion` index two ways: a scan of the index, and what the recompute does, one query per region
 *   (4 in flight); the whole recompute (`recalculerAgregats`: laureates, territories, fiches, fold,
 *   writes), first after the load (it writes) and again (nothing changed, nothing written); and the
 *   alternative of one NDJSON snapshot of the laureates in S3, read and folded.
 * Sizes are loaded one on top of the other. Ratios are against the previous size: a cost linear in the
 * number of laureates gives about 10×.
 */
import type { LaureatAgrege, TerritoireAgrege } from '@ti/domain/agregats/calcul';
import type { Territoire } from '@ti/domain/territoires/schema';

// Before the local cloud's modules load: no scheduled recompute during the measures.
process.env.TI_AGREGATS_PERIODE_S ??= '86400';
const { nuageJetable } = await import('@ti/local-cloud/local-cloud');
const { calculerAgregats } = await import('@ti/domain/agregats/calcul');
const { retrouverCommune } = await import('@ti/domain/geographie/communes');
const geographie = await import('../packages/domain/src/geographie/data/communes.json', {
  with: { type: 'json' },
});

const TAILLES = (process.env.BENCH_TAILLES ?? '1000,10000,100000').split(',').map(Number);
const NB_COMMUNES = 5_000;
const NB_TERRITOIRES = 150;
const NB_FICHES = 1_800;
const IMPORT = 'imp-bench';
const MAINTENANT = '2021-09-06T08:00:00.000Z';

/** Deterministic pseudo-random numbers (mulberry32): the same data at every run. */
function aleatoire(graine: number) {
  let a = graine;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const hasard = aleatoire(2021);

const mediane = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
async function chrono(fn: () => unknown): Promise<number> {
  const debut = performance.now();
  await fn();
  return performance.now() - debut;
}

// --- The data -------------------------------------------------------------------------------------
const toutes = Object.keys((geographie.default as { communes: Record<string, unknown> }).communes);
const communes = Array.from(
  { length: NB_COMMUNES },
  (_, i) => toutes[Math.floor((i * toutes.length) / NB_COMMUNES)] as string,
)
  .map((code) => ({ code, region: retrouverCommune(code)?.commune.region ?? '' }))
  .filter((c) => c.region !== '');
const territoires: TerritoireAgrege[] = Array.from({ length: NB_TERRITOIRES }, (_, i) => {
  const siennes = communes.slice(i * 11, i * 11 + 12);
  return {
    id: `ti-${1000 + i}`,
    nom: `Territoire ${i}`,
    generation: '2019-2022',
    regions: [...new Set(siennes.map((c) => c.region))].sort(),
    communes: siennes.map((c) => c.code),
    modifieLe: MAINTENANT,
  };
});
const territoiresDe = new Map<string, string[]>();
for (const t of territoires)
  for (const c of t.communes) territoiresDe.set(c, [...(territoiresDe.get(c) ?? []), t.id]);
const categories = ['TPE', 'PME', 'ETI', 'GE', 'Association', null] as const;
const laureats: LaureatAgrege[] = Array.from({ length: Math.max(...TAILLES) }, (_, i) => {
  const commune = communes[Math.floor(hasard() * communes.length)] as { code: string; region: string };
  const investissementCentimes = Math.floor(hasard() * 2_000_000_000);
  return {
    identifiantProjet: `FAIIT-2021-${String(i).padStart(7, '0')}`,
    codeCommune: commune.code,
    codeRegion: commune.region,
    categorie: categories[Math.floor(hasard() * categories.length)] ?? null,
    investissementCentimes,
    aideEtatCentimes: Math.floor(investissementCentimes * 0.08),
    aideRegionCentimes: Math.floor(investissementCentimes * 0.03),
    emploisPrevus: Math.floor(hasard() * 60),
    relocalisation: hasard() < 0.15,
    formation: hasard() < 0.06,
    transitionEcologique: hasard() < 0.35,
    territoireFragile: hasard() < 0.69,
    importId: IMPORT,
  };
});

// --- The fold alone ---------------------------------------------------------------------------------
const plis = new Map<number, number>();
for (const n of TAILLES) {
  const entree = { laureats: laureats.slice(0, n), territoires, fiches: [], sources: [] };
  calculerAgregats(entree);
  const essais: number[] = [];
  for (let k = 0; k < 7; k++) essais.push(await chrono(() => calculerAgregats(entree)));
  plis.set(n, mediane(essais));
}

// --- On the local cloud -----------------------------------------------------------------------------
interface Mesure {
  n: number;
  chargement: number;
  scan: number;
  requetes: number;
  premier: number;
  inchange: number;
  instantane: number;
  octetsInstantane: number;
}
const mesures: Mesure[] = [];

const cloud = await nuageJetable({ calendar: false });
try {
  // The handlers' environment is set by the local cloud: the adapters below talk to its emulators.
  const { GetObjectCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const { recalculerAgregats } = await import('@ti/domain/agregats/service');
  const { publicationS3 } = await import('@ti/platform/agregats/publication');
  const { localBucketName } = await import('@ti/platform/buckets');
  const { agregatStoreDynamo, sourcesAgregatsDynamo } = await import('@ti/platform/dynamodb/agregats');
  const { documentClient } = await import('@ti/platform/dynamodb/client');
  const { importStoreDynamo, laureatStoreDynamo } = await import('@ti/platform/dynamodb/laureats');
  const { ecrireParLots } = await import('@ti/platform/dynamodb/lots');
  const { territoireStoreDynamo } = await import('@ti/platform/dynamodb/territoires');
  const { s3Client } = await import('@ti/platform/s3/client');
  const { localTableName } = await import('@ti/platform/tables');

  const registre = territoireStoreDynamo(localTableName('territoires'));
  for (const t of territoires) {
    const territoire: Territoire = {
      ...t,
      epcis: [],
      departements: [],
      population: 0,
      source: { type: 'import' },
      nbCommunes: t.communes.length,
      creeLe: MAINTENANT,
      version: 1,
    };
    await registre.enregistrer(territoire, undefined);
  }
  await ecrireParLots(
    documentClient(),
    localTableName('fichesAction'),
    Array.from({ length: NB_FICHES }, (_, i) => {
      const territoire = territoires[i % NB_TERRITOIRES]?.id as string;
      const item = {
        pk: `fiche-${i}`,
        sk: 'courant',
        indexTerritoire: territoire,
        indexDepot: `${MAINTENANT}#fiche-${i}`,
        territoire,
        modifieeLe: MAINTENANT,
        description: 'Action du plan du territoire. '.repeat(60),
      };
      return { PutRequest: { Item: item } };
    }),
    { enVol: 16 },
  );
  await importStoreDynamo(localTableName('laureats')).creer({
    importId: IMPORT,
    fichier: 'export-bench.csv',
    statut: 'termine',
    debut: '2021-09-24T10:00:00.000Z',
    fin: '2021-09-24T10:05:00.000Z',
    lignes: { total: 0, nouvelles: 0, modifiees: 0, inchangees: 0, rejetees: 0 },
    curseur: 0,
    octetsLus: 0,
    objet: { bucket: 'bench', cle: 'bench', taille: 0 },
    nbRejets: 0,
    nbAvertissements: 0,
  });

  const store = laureatStoreDynamo(localTableName('laureats'), { enVol: 16 });
  /** Writes laureates as the ingestion stores them (full items, with their territory memberships). */
  const charger = (lot: readonly LaureatAgrege[]) =>
    store.ecrire(
      lot.map((l) => {
        const appartenances = territoiresDe.get(l.codeCommune) ?? [];
        const { importId, ...champs } = l;
        return {
          identifiantProjet: l.identifiantProjet,
          codeRegion: l.codeRegion,
          appartenances,
          retraits: [],
          laureat: {
            donnees: {
              ...champs,
              dispositif: 'Fonds d’accélération des investissements industriels dans les territoires',
              dateDecision: '2021-06-15',
              raisonSociale: `Entreprise industrielle ${l.identifiantProjet}`,
              siret: '41234567800210',
              codeNaf: '25.62B',
              intitule: 'Modernisation de la ligne de production et extension de l’atelier',
              territoires: appartenances,
              enjeuxTE: l.transitionEcologique ? ['Décarbonation' as const] : [],
            },
            empreinte: 'bench',
            importId,
          },
        };
      }),
      { importId: IMPORT, liste: [] },
    );

  const bucket = localBucketName('opendata');
  const deps = () => ({
    sources: sourcesAgregatsDynamo({
      tableLaureats: localTableName('laureats'),
      tableFichesAction: localTableName('fichesAction'),
      territoires: registre,
      imports: importStoreDynamo(localTableName('laureats')),
    }),
    store: agregatStoreDynamo(localTableName('agregats')),
    publication: publicationS3(bucket),
  });
  /** Every laureate, by a scan of the index (the first way tried), with the same projection. */
  const scanner = async (attendus: number) => {
    let n = 0;
    let depuis: Record<string, unknown> | undefined;
    do {
      const page = await documentClient().send(
        new ScanCommand({
          TableName: localTableName('laureats'),
          IndexName: 'parRegion',
          ProjectionExpression:
            'identifiantProjet, codeCommune, codeRegion, categorie, investissementCentimes, importId',
          ExclusiveStartKey: depuis,
        }),
      );
      n += page.Count ?? 0;
      depuis = page.LastEvaluatedKey;
    } while (depuis);
    if (n !== attendus) throw new Error(`scan: ${n} laureates read, ${attendus} stored`);
  };
  /** Every laureate, as the recompute reads them (one query per region). */
  const interroger = async (attendus: number) => {
    let n = 0;
    for await (const page of deps().sources.laureats()) n += page.length;
    if (n !== attendus) throw new Error(`queries: ${n} laureates read, ${attendus} stored`);
  };

  let charges = 0;
  for (const n of TAILLES) {
    const chargement = await chrono(async () => {
      for (let i = charges; i < n; i += 5_000) await charger(laureats.slice(i, Math.min(n, i + 5_000)));
    });
    charges = n;
    await interroger(n); // warm-up
    const scan = await chrono(() => scanner(n));
    const requetes = await chrono(() => interroger(n));
    let bilan: Awaited<ReturnType<typeof recalculerAgregats>> | undefined;
    const premier = await chrono(async () => {
      bilan = await recalculerAgregats(deps());
    });
    if (!bilan?.ecrit || bilan.nbLaureats !== n) throw new Error(`first recompute: ${JSON.stringify(bilan)}`);
    const inchange = await chrono(async () => {
      bilan = await recalculerAgregats(deps());
    });
    if (bilan?.ecrit || bilan?.fichiersEcrits.length)
      throw new Error(`unchanged recompute wrote: ${JSON.stringify(bilan)}`);

    const ndjson = Buffer.from(
      laureats
        .slice(0, n)
        .map((l) => JSON.stringify(l))
        .join('\n'),
      'utf8',
    );
    await s3Client().send(
      new PutObjectCommand({ Bucket: bucket, Key: 'bench/laureats.ndjson', Body: ndjson }),
    );
    const instantane = await chrono(async () => {
      const objet = await s3Client().send(
        new GetObjectCommand({ Bucket: bucket, Key: 'bench/laureats.ndjson' }),
      );
      const texte = Buffer.from((await objet.Body?.transformToByteArray()) ?? []).toString('utf8');
      const lus = texte.split('\n').map((ligne) => JSON.parse(ligne) as LaureatAgrege);
      calculerAgregats({ laureats: lus, territoires, fiches: [], sources: [] });
    });
    mesures.push({
      n,
      chargement,
      scan,
      requetes,
      premier,
      inchange,
      instantane,
      octetsInstantane: ndjson.length,
    });
    process.stderr.write(`${n}: ${JSON.stringify(mesures.at(-1))}\n`);
  }
} finally {
  await cloud.stop();
}

const ms = (x: number) => (x < 10 ? x.toFixed(1) : String(Math.round(x)));
const parSeconde = (n: number, x: number) => Math.round((n / x) * 1000).toLocaleString('en');
const rapport = (i: number, f: (m: Mesure) => number) => {
  const avant = mesures[i - 1];
  return avant ? ` (×${(f(mesures[i] as Mesure) / f(avant)).toFixed(1)})` : '';
};
const pli = (m: Mesure) => plis.get(m.n) as number;
console.log(
  '\n| laureates | fold ms | fold rows/s | index scan ms | per-region queries ms | queries rows/s | recompute, first ms | recompute, unchanged ms | S3 snapshot read + fold ms |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
mesures.forEach((m, i) => {
  console.log(
    [
      m.n.toLocaleString('en'),
      `${ms(pli(m))}${rapport(i, pli)}`,
      parSeconde(m.n, pli(m)),
      `${ms(m.scan)}${rapport(i, (x) => x.scan)}`,
      `${ms(m.requetes)}${rapport(i, (x) => x.requetes)}`,
      parSeconde(m.n, m.requetes),
      `${ms(m.premier)}${rapport(i, (x) => x.premier)}`,
      `${ms(m.inchange)}${rapport(i, (x) => x.inchange)}`,
      `${ms(m.instantane)}${rapport(i, (x) => x.instantane)}, ${Math.round(m.octetsInstantane / 1024).toLocaleString('en')} KiB`,
    ]
      .join(' | ')
      .replace(/^/, '| ')
      .concat(' |'),
  );
});
console.log(
  `\n(loading into DynamoDB Local: ${mesures.map((m) => `${m.n}: ${Math.round(m.chargement)} ms`).join(', ')})`,
);

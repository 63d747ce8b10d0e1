import { readFileSync } from 'node:fs';
import { epci } from '@ti/domain/geographie/officielle';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { baseUrl, jeton, lire, operateur } from '../support/api';

const echantillon = (nom: string) => readFileSync(new URL(`../../events/${nom}.csv`, import.meta.url));
const BRESLE_VIMEU = ['200069722', '200070944', '247600588'];
const communesDes = (...sirens: string[]) => sirens.flatMap((s) => epci(s)?.communes ?? []).sort();

/** Posts a file as an operator (national unless a token is given). */
async function importer(
  fichier: Buffer | string,
  query = '?generation=2019-2022',
  options: { token?: string; contentType?: string; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${baseUrl()}/territoires/import${query}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${options.token ?? (await jeton('national'))}`,
      'Content-Type': options.contentType ?? 'text/csv',
      ...options.headers,
    },
    body: fichier,
  });
  return lire(res);
}

beforeAll(async () => {
  const premier = await importer(echantillon('territoires-2019-2022'));
  if (premier.status !== 200) throw new Error(`import: ${premier.status} ${JSON.stringify(premier.body)}`);
});

describe('POST /territoires/import', () => {
  it('importe la liste de l’ANCT, signale les communes inconnues et les codes corrigés ; la réimporter ne change rien', async () => {
    // The first import ran in beforeAll (the report is the same whichever test file imports first).
    const encore = await importer(echantillon('territoires-2019-2022'));
    expect(encore.status).toBe(200);
    expect(encore.body).toMatchObject({
      generation: '2019-2022',
      lignes: 207,
      territoires: { total: 3, crees: 0, modifies: 0, inchanges: 3, enConflit: 0 },
      communesInconnues: [{ ligne: 99, code: '80999', nom: 'Saint-Aubin-sur-Bresle', territoire: 'ti-8001' }],
      corrections: [
        { ligne: 109, code: '01119', codeRetenu: '01080', motif: 'ancien_code' },
        { ligne: 134, code: '1283', codeRetenu: '01283', motif: 'zero_initial' },
      ],
      rejets: [],
    });
    expect(encore.body.details).toEqual([
      { id: 'ti-8001', nom: 'Vallée de la Bresle – Vimeu', resultat: 'inchange', communes: 97, epcis: 3 },
      { id: 'ti-8002', nom: 'Haut-Bugey – Plastics Vallée', resultat: 'inchange', communes: 42, epcis: 1 },
      {
        id: 'ti-8003',
        nom: "Plaine de l'Ain – Rives de l'Ain",
        resultat: 'inchange',
        communes: 67,
        epcis: 2,
      },
    ]);
  });

  it('crée ce qui manque et seulement cela (une autre génération, un autre fichier)', async () => {
    const rapport = await importer(echantillon('territoires-2023-2027'), '?generation=2023-2027');
    expect(rapport.status).toBe(200);
    expect(rapport.body.territoires).toMatchObject({ total: 2, modifies: 0, enConflit: 0 });
    expect(rapport.body.territoires.crees + rapport.body.territoires.inchanges).toBe(2);
    const encore = await importer(echantillon('territoires-2023-2027'), '?generation=2023-2027');
    expect(encore.body.territoires).toMatchObject({ crees: 0, modifies: 0, inchanges: 2 });
  });

  it('refuse un opérateur régional (403), un autre type de contenu (415), une génération absente (400), une liste sans ses colonnes (422)', async () => {
    const regional = await importer(echantillon('territoires-2019-2022'), undefined, {
      token: await jeton('regional', '32'),
    });
    expect(regional.status).toBe(403);
    const json = await importer('{"insee_com": "80001"}', undefined, { contentType: 'application/json' });
    expect(json.status).toBe(415);
    expect(json.headers.get('content-type')).toContain('application/problem+json');
    const sansGeneration = await importer(echantillon('territoires-2019-2022'), '');
    expect(sansGeneration.status).toBe(400);
    expect(sansGeneration.body.errors[0].path).toBe('generation');
    const mauvaiseGeneration = await importer(echantillon('territoires-2019-2022'), '?generation=2024');
    expect(mauvaiseGeneration.status).toBe(400);
    const colonnes = await importer('code;nom\n80001;Abbeville\n');
    expect(colonnes.status).toBe(422);
    expect(colonnes.body.errors).toEqual(
      expect.arrayContaining([{ path: 'colonnes', message: 'Colonne manquante : id_ti' }]),
    );
  });

  it('rejoue la réponse pour la même Idempotency-Key', async () => {
    const cle = { 'Idempotency-Key': `import-${Date.now()}` };
    const premiere = await importer(echantillon('territoires-2019-2022'), undefined, { headers: cle });
    const seconde = await importer(echantillon('territoires-2019-2022'), undefined, { headers: cle });
    expect(seconde.status).toBe(premiere.status);
    expect(seconde.headers.get('idempotent-replayed')).toBe('true');
    expect(seconde.body).toEqual(premiere.body);
  });
});

describe('GET /territoires, GET /territoires/{id}', () => {
  it('rend un territoire avec ses EPCI, ses communes dérivées, ses régions et départements', async () => {
    const res = await operateur('/territoires/ti-8001');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: 'ti-8001',
      nom: 'Vallée de la Bresle – Vimeu',
      generation: '2019-2022',
      regions: ['28', '32'],
      departements: ['76', '80'],
      nbCommunes: 97,
      source: { type: 'import' },
      version: 1,
    });
    expect(res.body.epcis.map((e: { siren: string }) => e.siren)).toEqual(BRESLE_VIMEU);
    expect(res.body.communes).toEqual(communesDes(...BRESLE_VIMEU));
    expect((await operateur('/territoires/ti-8002')).body.communes).toContain('01283');
    expect((await operateur('/territoires/ti-0000')).status).toBe(404);
  });

  it('liste par région et génération ; un opérateur régional voit sa région seulement', async () => {
    const hdf = await operateur('/territoires?region=32&generation=2019-2022');
    expect(hdf.status).toBe(200);
    expect(hdf.body.items.map((t: { id: string }) => t.id)).toEqual(['ti-8001']);
    expect(hdf.body.items[0]).not.toHaveProperty('communes');
    expect(hdf.body.items[0]).toMatchObject({ nbCommunes: 97, regions: ['28', '32'] });

    const auvergne = await jeton('regional', '84');
    const siens = await operateur('/territoires?generation=2019-2022', { token: auvergne });
    expect(siens.body.items.map((t: { id: string }) => t.id)).toEqual(['ti-8002', 'ti-8003']);
    expect((await operateur('/territoires?region=32', { token: auvergne })).status).toBe(403);
    expect((await operateur('/territoires/ti-8001', { token: auvergne })).status).toBe(403);

    const page = await operateur('/territoires?limit=2');
    expect(page.body.items).toHaveLength(2);
    const suite = await operateur(`/territoires?limit=2&cursor=${page.body.nextCursor}`);
    expect(
      suite.body.items[0].id > page.body.items[1].id ||
        suite.body.items[0].generation > page.body.items[1].generation,
    ).toBe(true);
    expect((await operateur('/territoires?cursor=nimporte-quoi')).status).toBe(400);
  });
});

describe('index commune → territoires (DynamoDB Local)', () => {
  it('trouve les territoires d’une commune sans parcourir la table, et suit les modifications', async () => {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = inject('dynamodbEndpoint');
    process.env.AWS_REGION ??= 'eu-west-3';
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    const { territoireStoreDynamo } = await import('@ti/platform/dynamodb/territoires');
    const { localTableName } = await import('@ti/platform/tables');
    const { territoiresDeCommunes } = await import('@ti/domain/territoires/rattachement');
    const store = territoireStoreDynamo(localTableName('territoires'));
    const vimeu = communesDes('200070944')[0] as string;

    const trouves = await territoiresDeCommunes({ territoires: store }, [vimeu, '1283', '80999', '01119']);
    expect(Object.fromEntries(trouves)).toEqual({
      [vimeu]: ['ti-8001', 'ti-8418'],
      '1283': ['ti-8002', 'ti-8419'],
      '80999': [],
      '01119': ['ti-8002', 'ti-8419'],
    });
    expect((await store.territoiresDeCommunes([vimeu], '2023-2027')).get(vimeu)).toEqual(['ti-8418']);

    // A list without one commune: the territory is modified and the index follows.
    const sansVimeu = echantillon('territoires-2019-2022')
      .toString('utf8')
      .split('\r\n')
      .filter((l) => !l.startsWith(`${vimeu};`))
      .join('\r\n');
    const rapport = await importer(sansVimeu);
    expect(rapport.body.territoires).toMatchObject({ modifies: 1, inchanges: 2 });
    expect((await store.territoiresDeCommunes([vimeu])).get(vimeu)).toEqual(['ti-8418']);
    const remis = await importer(echantillon('territoires-2019-2022'));
    expect(remis.body.territoires).toMatchObject({ modifies: 1, inchanges: 2 });
    expect((await store.territoiresDeCommunes([vimeu])).get(vimeu)).toEqual(['ti-8001', 'ti-8418']);
    expect((await operateur('/territoires/ti-8001')).body.version).toBe(3);
  });
});

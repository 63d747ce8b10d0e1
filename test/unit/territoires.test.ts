import { readFileSync } from 'node:fs';
import type { Candidature } from '@ti/domain/candidatures/schema';
import type { Operateur } from '@ti/domain/commun/acces';
import { epci } from '@ti/domain/geographie/officielle';
import { importerTerritoires, lireListeAnct } from '@ti/domain/territoires/import';
import { creerTerritoireLabellise, idTerritoireDeCandidature } from '@ti/domain/territoires/labellisation';
import { territoiresDeCommunes } from '@ti/domain/territoires/rattachement';
import type { ContenuTerritoire } from '@ti/domain/territoires/schema';
import { lireTerritoire, listerTerritoires, territoireLabellise } from '@ti/domain/territoires/service';
import { memeContenu, territoireEnregistrable } from '@ti/domain/territoires/territoire';
import { lireCsv } from '@ti/platform/fichiers/csv';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { erreur } from '../support/erreurs';
import { exemple } from '../support/exemples';
import { horlogeFixe, territoiresEnMemoire } from '../support/memoire';

const national: Operateur = { id: 'operateur-national', role: 'national' };
const hautsDeFrance: Operateur = { id: 'operateur-32', role: 'regional', region: '32' };
const bretagne: Operateur = { id: 'operateur-53', role: 'regional', region: '53' };

const echantillon = (nom = 'territoires-2019-2022') =>
  readFileSync(new URL(`../../events/${nom}.csv`, import.meta.url));
const texteEchantillon = () =>
  echantillon()
    .toString('utf8')
    .replace(/^\uFEFF/, '');
const communesDes = (...sirens: string[]) => sirens.flatMap((s) => epci(s)?.communes ?? []).sort();
const BRESLE_VIMEU = ['200069722', '200070944', '247600588'];

describe('lecture d’un fichier CSV, quel que soit son encodage', () => {
  it('lit l’échantillon UTF-8 avec BOM, séparé par « ; », avec les numéros de ligne d’un tableur', () => {
    const tableau = lireCsv(echantillon());
    expect(tableau.encodage).toBe('utf-8');
    expect(tableau.separateur).toBe(';');
    expect(tableau.colonnes).toEqual(['insee_com', 'lib_com', 'id_ti', 'lib_ti']);
    expect(tableau.lignes[0]).toEqual({
      numero: 2,
      valeurs: ['76028', 'Aubéguimont', 'ti-8001', 'Vallée de la Bresle – Vimeu'],
    });
  });

  it('lit le même fichier en Windows-1252 (Excel français) avec les mêmes accents', () => {
    const windows = iconv.encode(texteEchantillon(), 'windows-1252');
    expect(windows.includes(Buffer.from('Vallée', 'utf8'))).toBe(false);
    const tableau = lireCsv(windows);
    expect(tableau.encodage).toBe('windows-1252');
    expect(tableau).toMatchObject({
      colonnes: lireCsv(echantillon()).colonnes,
      lignes: lireCsv(echantillon()).lignes,
    });
  });

  it('lit l’UTF-8 sans BOM, l’UTF-16 avec BOM, le séparateur « , » et les champs entre guillemets', () => {
    expect(lireCsv(Buffer.from('a;b\r\n1;é\r\n')).lignes).toEqual([{ numero: 2, valeurs: ['1', 'é'] }]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('a;b\n1;€\n', 'utf-16le')]);
    expect(lireCsv(utf16)).toMatchObject({ encodage: 'utf-16le', lignes: [{ valeurs: ['1', '€'] }] });
    const virgules = lireCsv(
      Buffer.from(
        'insee_com,lib_com,id_ti,lib_ti\n01283,Oyonnax,ti-1,"Haut-Bugey, ""Plastics"""\n\n80001,Abbeville,ti-2,X\n',
      ),
    );
    expect(virgules.separateur).toBe(',');
    expect(virgules.lignes).toEqual([
      { numero: 2, valeurs: ['01283', 'Oyonnax', 'ti-1', 'Haut-Bugey, "Plastics"'] },
      { numero: 4, valeurs: ['80001', 'Abbeville', 'ti-2', 'X'] },
    ]);
  });
});

describe('liste des territoires de l’ANCT', () => {
  it('dérive chaque territoire de ses communes : EPCI, départements, régions, population', () => {
    const lue = lireListeAnct(lireCsv(echantillon()), '2019-2022');
    expect(lue.lignes).toBe(207);
    expect(lue.contenus.map((c) => c.id)).toEqual(['ti-8001', 'ti-8002', 'ti-8003']);
    const bresle = lue.contenus[0];
    expect(bresle).toMatchObject({
      nom: 'Vallée de la Bresle – Vimeu',
      generation: '2019-2022',
      regions: ['28', '32'],
      departements: ['76', '80'],
      source: { type: 'import' },
    });
    expect(bresle?.epcis.map((e) => e.siren)).toEqual(BRESLE_VIMEU);
    expect(bresle?.communes).toEqual(communesDes(...BRESLE_VIMEU));
    expect(bresle?.population).toBe(BRESLE_VIMEU.reduce((p, s) => p + (epci(s)?.population ?? 0), 0));
    expect(lue.contenus[1]?.communes).toEqual(communesDes('200042935'));
    expect(lue.contenus[1]?.regions).toEqual(['84']);
  });

  it('signale la commune inconnue, le zéro initial perdu, l’ancien code d’une commune fusionnée', () => {
    const lue = lireListeAnct(lireCsv(echantillon()), '2019-2022');
    expect(lue.communesInconnues).toEqual([
      { ligne: 99, code: '80999', nom: 'Saint-Aubin-sur-Bresle', territoire: 'ti-8001' },
    ]);
    expect(lue.corrections).toEqual([
      { ligne: 109, code: '01119', codeRetenu: '01080', motif: 'ancien_code' },
      { ligne: 134, code: '1283', codeRetenu: '01283', motif: 'zero_initial' },
    ]);
    expect(lue.rejets).toEqual([]);
    expect(lue.avertissements).toEqual([]);
  });

  it('refuse une liste sans les colonnes de l’ANCT (422), en les nommant', async () => {
    const e = await erreur(() =>
      lireListeAnct(lireCsv(Buffer.from('code;nom;id_ti\n80001;Abbeville;ti-1\n')), '2019-2022'),
    );
    expect(e.kind).toBe('regle_metier');
    expect(e.violations).toEqual([
      { path: 'colonnes', message: 'Colonne manquante : insee_com' },
      { path: 'colonnes', message: 'Colonne manquante : lib_com' },
      { path: 'colonnes', message: 'Colonne manquante : lib_ti' },
    ]);
  });

  it('rejette les lignes sans identifiant valide ou sans commune, signale doublons et noms divergents', () => {
    const csv = [
      'INSEE_COM;Lib_Com;ID_TI;LIB_TI',
      '80001;Abbeville;TI-12;Baie de Somme',
      '80001;Abbeville;ti-12;Baie de Somme',
      '80002;Acheux;ti-12;Baie-de-Somme',
      ';Sans code;ti-12;Baie de Somme',
      '80003;Acheux-en-Vimeu;territoire 4;X',
      '99999;Nulle part;ti-13;Fantôme',
      ';;;',
    ].join('\n');
    const lue = lireListeAnct(lireCsv(Buffer.from(csv)), '2023-2027');
    expect(lue.contenus.map((c) => [c.id, c.nom, c.communes.length])).toEqual([
      ['ti-12', 'Baie de Somme', 2],
    ]);
    expect(lue.rejets).toEqual([
      { ligne: 5, motif: 'Code INSEE de la commune (insee_com) manquant' },
      { ligne: 6, motif: 'Identifiant de territoire « territoire 4 » invalide (attendu : ti-1234)' },
      { ligne: 7, motif: 'Territoire ti-13 sans aucune commune connue : non importé' },
    ]);
    expect(lue.avertissements.map((a) => a.ligne)).toEqual([3, 4]);
    expect(lue.communesInconnues).toEqual([
      { ligne: 7, code: '99999', nom: 'Nulle part', territoire: 'ti-13' },
    ]);
  });
});

describe('import d’une génération', () => {
  const importer = (
    store: ReturnType<typeof territoiresEnMemoire>,
    octets: Uint8Array = echantillon(),
    operateur = national,
  ) =>
    importerTerritoires(
      { territoires: store, horloge: horlogeFixe() },
      lireCsv(octets),
      '2019-2022',
      operateur,
    );

  it('crée les territoires ; le même fichier réimporté ne crée ni ne modifie rien', async () => {
    const store = territoiresEnMemoire();
    const premier = await importer(store);
    expect(premier.territoires).toEqual({ total: 3, crees: 3, modifies: 0, inchanges: 0, enConflit: 0 });
    expect(premier.communesInconnues).toHaveLength(1);
    expect(store.ecritures).toBe(3);

    const windows = iconv.encode(texteEchantillon(), 'windows-1252');
    const second = await importer(store, windows);
    expect(second.territoires).toEqual({ total: 3, crees: 0, modifies: 0, inchanges: 3, enConflit: 0 });
    expect(store.ecritures).toBe(3);
    expect(store.territoires.get('ti-8001')?.version).toBe(1);
  });

  it('modifie un territoire dont la liste change, et son index des communes avec lui', async () => {
    const store = territoiresEnMemoire();
    await importer(store);
    const retiree = communesDes('200070944')[0] as string;
    const sansUne = texteEchantillon()
      .split('\r\n')
      .filter((l) => !l.startsWith(`${retiree};`))
      .join('\r\n');
    const rapport = await importer(store, Buffer.from(sansUne));
    expect(rapport.territoires).toMatchObject({ crees: 0, modifies: 1, inchanges: 2 });
    expect(rapport.details.find((d) => d.id === 'ti-8001')).toMatchObject({
      resultat: 'modifie',
      communes: 96,
    });
    expect(store.territoires.get('ti-8001')).toMatchObject({ version: 2, nbCommunes: 96 });
    expect(store.index.get(retiree)?.has('ti-8001')).toBe(false);
  });

  it('ne remplace pas un territoire d’une autre génération (conflit signalé)', async () => {
    const store = territoiresEnMemoire();
    await importerTerritoires(
      { territoires: store, horloge: horlogeFixe() },
      lireCsv(echantillon()),
      '2023-2027',
      national,
    );
    const rapport = await importer(store);
    expect(rapport.territoires).toMatchObject({ crees: 0, enConflit: 3 });
    expect(rapport.details[0]?.motif).toBe('ti-8001 est déjà un territoire de la génération 2023-2027');
    expect(store.territoires.get('ti-8001')?.generation).toBe('2023-2027');
  });

  it('compare les contenus sans dépendre de l’ordre des clés (DynamoDB ne le garde pas)', () => {
    const contenu = lireListeAnct(lireCsv(echantillon()), '2019-2022').contenus[0] as ContenuTerritoire;
    const stocke = territoireEnregistrable(contenu, undefined, '2026-11-23T10:00:00.000Z');
    const relu = JSON.parse(
      JSON.stringify(stocke, (_, v) =>
        v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
      ),
    );
    expect(Object.keys(relu.epcis[0])).toEqual(['type', 'nom', 'siren']);
    expect(memeContenu(relu, contenu)).toBe(true);
    expect(memeContenu(relu, { ...contenu, nom: 'Autre' })).toBe(false);
    expect(memeContenu(relu, { ...contenu, communes: contenu.communes.slice(1) })).toBe(false);
  });

  it('est réservé aux opérateurs nationaux (403)', async () => {
    expect((await erreur(importer(territoiresEnMemoire(), echantillon(), hautsDeFrance))).kind).toBe(
      'interdit',
    );
  });
});

describe('registre des territoires', () => {
  async function registre() {
    const store = territoiresEnMemoire();
    await importerTerritoires(
      { territoires: store, horloge: horlogeFixe() },
      lireCsv(echantillon()),
      '2019-2022',
      national,
    );
    await importerTerritoires(
      { territoires: store, horloge: horlogeFixe() },
      lireCsv(echantillon('territoires-2023-2027')),
      '2023-2027',
      national,
    );
    return store;
  }

  it('trouve les territoires d’une commune par l’index, y compris un code mal écrit', async () => {
    const store = await registre();
    const vimeu = communesDes('200070944')[0] as string;
    const trouves = await territoiresDeCommunes({ territoires: store }, [vimeu, '1283', '80999', '29083']);
    expect(Object.fromEntries(trouves)).toEqual({
      [vimeu]: ['ti-8001', 'ti-8418'],
      '1283': ['ti-8002', 'ti-8419'],
      '80999': [],
      '29083': [],
    });
    const courants = await territoiresDeCommunes({ territoires: store }, [vimeu], '2023-2027');
    expect(courants.get(vimeu)).toEqual(['ti-8418']);
  });

  it('liste par région ; un opérateur régional ne voit que la sienne', async () => {
    const store = await registre();
    const filtre = { limit: 50 };
    const tous = await listerTerritoires({ territoires: store }, filtre, national);
    expect(tous.items.map((t) => t.id)).toEqual(['ti-8001', 'ti-8002', 'ti-8003', 'ti-8418', 'ti-8419']);
    expect(tous.items[0]).not.toHaveProperty('communes');
    const hdf = await listerTerritoires({ territoires: store }, filtre, hautsDeFrance);
    expect(hdf.items.map((t) => t.id)).toEqual(['ti-8001', 'ti-8418']);
    expect(
      (await erreur(listerTerritoires({ territoires: store }, { ...filtre, region: '84' }, hautsDeFrance)))
        .kind,
    ).toBe('interdit');
    expect((await lireTerritoire({ territoires: store }, 'ti-8418', hautsDeFrance)).nbCommunes).toBe(97);
    expect((await erreur(lireTerritoire({ territoires: store }, 'ti-8418', bretagne))).kind).toBe('interdit');
    expect((await erreur(lireTerritoire({ territoires: store }, 'ti-0', national))).kind).toBe('introuvable');
  });

  it('n’accepte de fiches-action que d’un territoire labellisé 2023-2027 (404, 409)', async () => {
    const store = await registre();
    expect((await territoireLabellise({ territoires: store }, 'ti-8418')).id).toBe('ti-8418');
    const ancien = await erreur(territoireLabellise({ territoires: store }, 'ti-8001'));
    expect(ancien.kind).toBe('conflit');
    expect(ancien.message).toContain('2019-2022');
    expect((await erreur(territoireLabellise({ territoires: store }, 'ti-404'))).kind).toBe('introuvable');
  });
});

describe('territoire issu d’une candidature labellisée', () => {
  const candidature = (statut: Candidature['statut']): Candidature => ({
    ...exemple(),
    id: '0b8e5a52-7f5e-4c51-9d7e-3c1f2b8a9e11',
    statut,
    regions: ['28', '32'],
    departements: ['76', '80'],
    population: 0,
    epcis: [],
    nbCommunes: 0,
    deposeeLe: '2023-07-01T10:00:00.000Z',
    modifieeLe: '2023-07-01T10:00:00.000Z',
    source: 'formulaire-local',
    version: 3,
    avis: [],
  });

  it('crée le territoire avec toutes les communes de ses EPCI, une seule fois', async () => {
    const store = territoiresEnMemoire();
    const deps = { territoires: store, horloge: horlogeFixe() };
    const territoire = await creerTerritoireLabellise(deps, candidature('labellisee'));
    expect(territoire).toMatchObject({
      id: idTerritoireDeCandidature('0b8e5a52-7f5e-4c51-9d7e-3c1f2b8a9e11'),
      nom: 'Vallée de la Bresle – Vimeu',
      generation: '2023-2027',
      regions: ['28', '32'],
      departements: ['76', '80'],
      nbCommunes: 97,
      version: 1,
      source: { type: 'candidature', candidature: '0b8e5a52-7f5e-4c51-9d7e-3c1f2b8a9e11', campagne: 'demo' },
    });
    expect(territoire.communes).toEqual(communesDes(...BRESLE_VIMEU));
    expect(territoire.epcis.map((e) => e.siren)).toEqual(BRESLE_VIMEU);
    const encore = await creerTerritoireLabellise(deps, candidature('labellisee'));
    expect(encore).toEqual(territoire);
    expect(store.ecritures).toBe(1);
    const vimeu = communesDes('200070944')[0] as string;
    expect((await territoiresDeCommunes(deps, [vimeu])).get(vimeu)).toEqual([territoire.id]);
  });

  it('refuse une candidature qui n’est pas labellisée (409)', async () => {
    const deps = { territoires: territoiresEnMemoire(), horloge: horlogeFixe() };
    expect((await erreur(creerTerritoireLabellise(deps, candidature('non_retenue')))).kind).toBe('conflit');
  });
});

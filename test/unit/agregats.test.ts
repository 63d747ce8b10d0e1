import {
  calculerAgregats,
  empreinteDe,
  type FichesTerritoire,
  type LaureatAgrege,
  releverLaureats,
  type TerritoireAgrege,
} from '@ti/domain/agregats/calcul';
import type { Source } from '@ti/domain/agregats/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** A laureate with nothing but what the test sets (amounts in cents). */
const laureat = (
  l: Partial<LaureatAgrege> & Pick<LaureatAgrege, 'identifiantProjet' | 'codeCommune' | 'codeRegion'>,
) =>
  ({
    categorie: null,
    investissementCentimes: 0,
    aideEtatCentimes: 0,
    aideRegionCentimes: 0,
    emploisPrevus: 0,
    relocalisation: false,
    formation: false,
    transitionEcologique: false,
    territoireFragile: false,
    importId: 'imp-a',
    ...l,
  }) satisfies LaureatAgrege;

// Five laureates: two in Hauts-de-France (one in ti-1), one in Normandie (in ti-1, which spans both
// regions), two in Auvergne-Rhône-Alpes (one in ti-2). Cents chosen so that euros carry decimals.
const L1 = laureat({
  identifiantProjet: 'L1',
  codeCommune: '80001',
  codeRegion: '32',
  categorie: 'PME',
  investissementCentimes: 100_000_000, // 1 000 000,00 €
  aideEtatCentimes: 8_000_050, // 80 000,50 €
  aideRegionCentimes: 2_000_000, // 20 000,00 €
  emploisPrevus: 10,
  relocalisation: true,
  transitionEcologique: true,
  territoireFragile: true,
});
const L2 = laureat({
  identifiantProjet: 'L2',
  codeCommune: '80002',
  codeRegion: '32',
  categorie: 'ETI',
  investissementCentimes: 50_000_025, // 500 000,25 €
  aideEtatCentimes: 5_000_000,
  emploisPrevus: 5,
  formation: true,
});
const L3 = laureat({
  identifiantProjet: 'L3',
  codeCommune: '76001',
  codeRegion: '28',
  categorie: 'Association',
  investissementCentimes: 20_000_000,
  aideEtatCentimes: 4_000_000,
  aideRegionCentimes: 1_000_010, // 10 000,10 €
  transitionEcologique: true,
  importId: 'imp-b',
});
const L4 = laureat({
  identifiantProjet: 'L4',
  codeCommune: '01001',
  codeRegion: '84',
  investissementCentimes: 10, // 0,10 €
  aideEtatCentimes: 5,
  aideRegionCentimes: 5,
  emploisPrevus: 2,
  relocalisation: true,
  formation: true,
  territoireFragile: true,
  importId: 'imp-b',
});
const L5 = laureat({
  identifiantProjet: 'L5',
  codeCommune: '69123',
  codeRegion: '84',
  categorie: 'GE',
  investissementCentimes: 300_000_000,
  aideEtatCentimes: 30_000_000,
  aideRegionCentimes: 10_000_000,
  emploisPrevus: 50,
  importId: 'imp-b',
});
const LAUREATS = [L1, L2, L3, L4, L5];

const TERRITOIRES: TerritoireAgrege[] = [
  {
    id: 'ti-1',
    nom: 'Vallée de la Bresle',
    generation: '2019-2022',
    regions: ['28', '32'],
    communes: ['76001', '80001'],
    modifieLe: '2021-09-06T08:00:00.000Z',
  },
  {
    id: 'ti-2',
    nom: 'Plaine de l’Ain',
    generation: '2019-2022',
    regions: ['84'],
    communes: ['01001'],
    modifieLe: '2021-09-06T08:00:00.000Z',
  },
];
const FICHES: FichesTerritoire[] = [
  { territoire: 'ti-1', nb: 3, derniereModification: '2021-09-20T10:00:00.000Z' },
  { territoire: 'ti-2', nb: 1, derniereModification: '2021-09-01T10:00:00.000Z' },
];
const SOURCES: Source[] = [
  { importId: 'imp-b', fichier: 'export-2.csv', ingereLe: '2021-09-24T12:00:00.000Z' },
  { importId: 'imp-a', fichier: 'export-1.csv', ingereLe: '2021-09-24T10:00:00.000Z' },
  // Wrote none of the laureates now stored: not a source.
  { importId: 'imp-c', fichier: 'ancien.csv', ingereLe: '2021-09-25T10:00:00.000Z' },
];

const entree = { laureats: LAUREATS, territoires: TERRITOIRES, fiches: FICHES, sources: SOURCES };
const enjeu = (nb: number, investissement: number, emplois: number) => ({ nb, investissement, emplois });

describe('calculerAgregats (hand-computed figures)', () => {
  const { agregats, territoires } = calculerAgregats(entree);

  it('dates the result by its newest source and lists the imports that wrote the laureates', () => {
    expect(agregats.asOf).toBe('2021-09-24T12:00:00.000Z');
    expect(agregats.sources).toEqual([
      { importId: 'imp-a', fichier: 'export-1.csv', ingereLe: '2021-09-24T10:00:00.000Z' },
      { importId: 'imp-b', fichier: 'export-2.csv', ingereLe: '2021-09-24T12:00:00.000Z' },
    ]);
    expect(agregats.generation).toBe('2019-2022');
  });

  it('national: every territory once, sums in cents shown in euros, aideTotale = État + Région', () => {
    expect(agregats.national).toEqual({
      nbTerritoires: 2,
      nbFichesAction: 4,
      nbLaureats: 5,
      nbLaureatsEnTerritoire: 3,
      investissement: 4_700_000.35,
      aideEtat: 470_000.55,
      aideRegion: 130_000.15,
      aideTotale: 600_000.7,
      emploisPrevus: 67,
      parTaille: { TPE: 0, PME: 1, ETI: 1, GE: 1, autre: 2 },
      parEnjeu: {
        relocalisation: enjeu(2, 1_000_000.1, 12),
        formation: enjeu(2, 500_000.35, 7),
        transitionEcologique: enjeu(2, 1_200_000, 10),
      },
      enTerritoireFragile: 2,
    });
  });

  it('regions: sorted by code, named, a territory over two regions counted in both', () => {
    expect(agregats.regions.map((r) => [r.code, r.libelle, r.nbTerritoires, r.nbFichesAction])).toEqual([
      ['28', 'Normandie', 1, 3],
      ['32', 'Hauts-de-France', 1, 3],
      ['84', 'Auvergne-Rhône-Alpes', 1, 1],
    ]);
    expect(agregats.regions[1]).toEqual({
      code: '32',
      libelle: 'Hauts-de-France',
      nbTerritoires: 1,
      nbFichesAction: 3,
      nbLaureats: 2,
      nbLaureatsEnTerritoire: 1,
      investissement: 1_500_000.25,
      aideEtat: 130_000.5,
      aideRegion: 20_000,
      aideTotale: 150_000.5,
      emploisPrevus: 15,
      parTaille: { TPE: 0, PME: 1, ETI: 1, GE: 0, autre: 0 },
      parEnjeu: {
        relocalisation: enjeu(1, 1_000_000, 10),
        formation: enjeu(1, 500_000.25, 5),
        transitionEcologique: enjeu(1, 1_000_000, 10),
      },
      enTerritoireFragile: 1,
    });
    expect(agregats.regions[0]).toMatchObject({
      nbLaureats: 1,
      nbLaureatsEnTerritoire: 1,
      aideRegion: 10_000.1,
      aideTotale: 50_000.1,
      parTaille: { autre: 1 },
    });
    expect(agregats.regions[2]).toMatchObject({
      nbLaureats: 2,
      nbLaureatsEnTerritoire: 1,
      investissement: 3_000_000.1,
      aideTotale: 400_000.1,
      emploisPrevus: 52,
      parTaille: { GE: 1, autre: 1 },
    });
  });

  it('each region’s own aggregate: dated like the whole, its sources the imports of its own laureates', () => {
    const { regions } = calculerAgregats(entree);
    expect(regions.map((r) => [r.code, r.asOf, r.sources.map((x) => x.importId)])).toEqual([
      ['28', '2021-09-24T12:00:00.000Z', ['imp-b']],
      ['32', '2021-09-24T12:00:00.000Z', ['imp-a']],
      ['84', '2021-09-24T12:00:00.000Z', ['imp-b']],
    ]);
    const { asOf: _a, sources: _s, ...hautsDeFrance } = regions[1] as (typeof regions)[number];
    expect(hautsDeFrance).toEqual(agregats.regions[1]);
  });

  it('each territory: its communes’ laureates, its fiches, dated like the whole, with its own sources', () => {
    expect(territoires.map((t) => t.id)).toEqual(['ti-1', 'ti-2']);
    expect(territoires[0]).toMatchObject({
      asOf: '2021-09-24T12:00:00.000Z',
      id: 'ti-1',
      nom: 'Vallée de la Bresle',
      generation: '2019-2022',
      regions: ['28', '32'],
      nbTerritoires: 1,
      nbFichesAction: 3,
      nbLaureats: 2,
      nbLaureatsEnTerritoire: 2,
      investissement: 1_200_000,
      aideEtat: 120_000.5,
      aideRegion: 30_000.1,
      aideTotale: 150_000.6,
      emploisPrevus: 10,
      parEnjeu: { transitionEcologique: enjeu(2, 1_200_000, 10) },
    });
    expect(territoires[0]?.sources.map((s) => s.importId)).toEqual(['imp-a', 'imp-b']);
    expect(territoires[1]?.sources.map((s) => s.importId)).toEqual(['imp-b']);
  });

  it('counts only the most recent generation present (a relabelled territory has a new id)', () => {
    const relabellise: TerritoireAgrege = {
      id: 'ti-9',
      nom: 'Vallée de la Bresle (2023)',
      generation: '2023-2027',
      regions: ['32'],
      communes: ['80002'],
      modifieLe: '2023-12-01T00:00:00.000Z',
    };
    const r = calculerAgregats({ ...entree, territoires: [...TERRITOIRES, relabellise] });
    expect(r.agregats.generation).toBe('2023-2027');
    expect(r.agregats.national).toMatchObject({
      nbTerritoires: 1,
      nbFichesAction: 0,
      nbLaureatsEnTerritoire: 1,
    });
    expect(r.agregats.regions.map((x) => [x.code, x.nbTerritoires, x.nbLaureatsEnTerritoire])).toEqual([
      ['28', 0, 0],
      ['32', 1, 1],
      ['84', 0, 0],
    ]);
    // Every territory keeps its own aggregate; the newest change dates the whole.
    expect(r.territoires.map((t) => [t.id, t.nbLaureats])).toEqual([
      ['ti-1', 2],
      ['ti-2', 1],
      ['ti-9', 1],
    ]);
    expect(r.agregats.asOf).toBe('2023-12-01T00:00:00.000Z');
  });

  it('sums money in cents: 0,10 € + 0,20 € is 0,30 €', () => {
    const r = calculerAgregats({
      laureats: [
        laureat({
          identifiantProjet: 'A',
          codeCommune: '80001',
          codeRegion: '32',
          investissementCentimes: 10,
          aideEtatCentimes: 10,
        }),
        laureat({
          identifiantProjet: 'B',
          codeCommune: '80001',
          codeRegion: '32',
          investissementCentimes: 20,
          aideRegionCentimes: 20,
        }),
      ],
      territoires: [],
      fiches: [],
      sources: [],
    });
    expect(r.agregats.national.investissement).toBe(0.3);
    expect(r.agregats.national.aideTotale).toBe(0.3);
  });

  it('without any data: zeros, no region, no date', () => {
    const r = calculerAgregats({ laureats: [], territoires: [], fiches: [], sources: [] });
    expect(r.agregats).toMatchObject({ asOf: null, sources: [], generation: null, regions: [] });
    expect(r.agregats.national).toMatchObject({ nbLaureats: 0, investissement: 0, parTaille: { autre: 0 } });
  });

  it('refuses a laureate read twice rather than counting it twice', () => {
    const releve = releverLaureats();
    releve.ajouter([L1, L2]);
    expect(() => releve.ajouter([L1])).toThrow(/L1 lu deux fois/);
  });
});

describe('determinism and idempotence', () => {
  const reference = calculerAgregats(entree);

  it('the same result, byte for byte, whatever the order of laureates, territories, fiches and sources', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(LAUREATS, { minLength: LAUREATS.length }),
        fc.shuffledSubarray(TERRITOIRES, { minLength: TERRITOIRES.length }),
        fc.shuffledSubarray(FICHES, { minLength: FICHES.length }),
        fc.shuffledSubarray(SOURCES, { minLength: SOURCES.length }),
        (laureats, territoires, fiches, sources) => {
          const r = calculerAgregats({ laureats, territoires, fiches, sources });
          expect(JSON.stringify(r)).toBe(JSON.stringify(reference));
          expect(empreinteDe(r)).toBe(empreinteDe(reference));
        },
      ),
    );
  });

  it('computing twice from the same state gives the same result (no increment is kept)', () => {
    expect(empreinteDe(calculerAgregats(entree))).toBe(empreinteDe(calculerAgregats(entree)));
  });

  it('the national figures are the sum of the regions’ laureate figures, for any laureates', () => {
    const arbitraire = fc.record({
      codeRegion: fc.constantFrom('11', '32', '84', '94'),
      codeCommune: fc.constantFrom('75056', '80001', '01001', '2A004'),
      categorie: fc.constantFrom('TPE', 'PME', 'ETI', 'GE', 'Association', null),
      investissementCentimes: fc.integer({ min: 0, max: 10_000_000_000 }),
      aideEtatCentimes: fc.integer({ min: 0, max: 1_000_000_000 }),
      aideRegionCentimes: fc.integer({ min: 0, max: 1_000_000_000 }),
      emploisPrevus: fc.integer({ min: 0, max: 2000 }),
      relocalisation: fc.boolean(),
      formation: fc.boolean(),
      transitionEcologique: fc.boolean(),
      territoireFragile: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(arbitraire, { maxLength: 60 }), (lignes) => {
        const laureats = lignes.map((l, i) => laureat({ ...l, identifiantProjet: `P${i}` }) as LaureatAgrege);
        const { agregats } = calculerAgregats({ laureats, territoires: [], fiches: [], sources: [] });
        const centimes = (e: number) => Math.round(e * 100);
        const somme = (f: (r: (typeof agregats.regions)[number]) => number) =>
          agregats.regions.reduce((s, r) => s + f(r), 0);
        expect(somme((r) => r.nbLaureats)).toBe(agregats.national.nbLaureats);
        expect(somme((r) => centimes(r.investissement))).toBe(centimes(agregats.national.investissement));
        expect(centimes(agregats.national.investissement)).toBe(
          laureats.reduce((s, l) => s + l.investissementCentimes, 0),
        );
        expect(centimes(agregats.national.aideTotale)).toBe(
          laureats.reduce((s, l) => s + l.aideEtatCentimes + l.aideRegionCentimes, 0),
        );
        const tailles = agregats.national.parTaille;
        expect(tailles.TPE + tailles.PME + tailles.ETI + tailles.GE + tailles.autre).toBe(laureats.length);
      }),
    );
  });
});

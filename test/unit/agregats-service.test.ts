import type {
  FichesTerritoire,
  LaureatAgrege,
  ResultatAgregats,
  TerritoireAgrege,
} from '@ti/domain/agregats/calcul';
import type { AgregatStore, PublicationAgregats, SourcesAgregats } from '@ti/domain/agregats/ports';
import type { Agregats, FichierDonneesOuvertes, Source } from '@ti/domain/agregats/schema';
import {
  attendreFinImports,
  lireAgregatRegion,
  lireAgregats,
  lireAgregatTerritoire,
  lireFichierOuvert,
  recalculerAgregats,
} from '@ti/domain/agregats/service';
import { ErreurDomaine } from '@ti/domain/commun/erreurs';
import type { ImportLaureats } from '@ti/domain/laureats/ports';
import { describe, expect, it } from 'vitest';

const laureat = (
  id: string,
  codeRegion: string,
  codeCommune: string,
  investissementCentimes: number,
): LaureatAgrege => ({
  identifiantProjet: id,
  codeCommune,
  codeRegion,
  categorie: 'PME',
  investissementCentimes,
  aideEtatCentimes: 0,
  aideRegionCentimes: 0,
  emploisPrevus: 1,
  relocalisation: false,
  formation: false,
  transitionEcologique: false,
  territoireFragile: false,
  importId: 'imp-1',
});

/** The state the aggregates are read from, kept in memory; `pages` as a scan would hand them. */
function sources(etat: {
  laureats: LaureatAgrege[];
  territoires?: TerritoireAgrege[];
  fiches?: FichesTerritoire[];
  imports?: Source[];
}): SourcesAgregats {
  return {
    async *laureats() {
      for (let i = 0; i < etat.laureats.length; i += 2) yield etat.laureats.slice(i, i + 2);
    },
    territoires: async () => etat.territoires ?? [],
    fiches: async () => etat.fiches ?? [],
    imports: async (ids) => (etat.imports ?? []).filter((s) => ids.includes(s.importId)),
  };
}

/** A store that counts its writes; `avantEcriture` lets a test slip a concurrent write in. */
function store() {
  let stocke: { empreinte: string; resultat: ResultatAgregats } | undefined;
  const s = {
    ecritures: 0,
    avantEcriture: undefined as (() => void) | undefined,
    forcer(empreinte: string, resultat: ResultatAgregats) {
      stocke = { empreinte, resultat };
    },
    port: {
      lire: async () =>
        stocke ? { empreinte: stocke.empreinte, agregats: stocke.resultat.agregats } : undefined,
      lireRegion: async (code) => stocke?.resultat.regions.find((r) => r.code === code),
      lireTerritoire: async (id) => stocke?.resultat.territoires.find((t) => t.id === id),
      async enregistrer(resultat, empreinte, precedente) {
        s.avantEcriture?.();
        s.avantEcriture = undefined;
        if (stocke?.empreinte !== precedente) return false;
        s.ecritures += 1;
        stocke = { empreinte, resultat };
        return true;
      },
    } satisfies AgregatStore,
  };
  return s;
}

function publication() {
  const fichiers = new Map<FichierDonneesOuvertes, string>();
  return {
    fichiers,
    port: {
      async publier(agregats: Agregats) {
        const contenu = JSON.stringify(agregats);
        const ecrits: FichierDonneesOuvertes[] = [];
        for (const f of ['regions.json', 'regions.csv', 'index.html'] as const) {
          if (fichiers.get(f) === contenu) continue;
          fichiers.set(f, contenu);
          ecrits.push(f);
        }
        return ecrits;
      },
      async lire(f: FichierDonneesOuvertes) {
        const contenu = fichiers.get(f);
        return contenu === undefined
          ? undefined
          : { contenu, type: 'text/plain', etag: 'e', modifieLe: '2021-01-01T00:00:00.000Z' };
      },
    } satisfies PublicationAgregats,
  };
}

const ETAT = {
  laureats: [
    laureat('A', '32', '80001', 100),
    laureat('B', '32', '80002', 250),
    laureat('C', '28', '76001', 5),
  ],
  territoires: [
    {
      id: 'ti-1',
      nom: 'Bresle',
      generation: '2019-2022' as const,
      regions: ['28', '32'],
      communes: ['80001', '76001'],
      modifieLe: '2021-09-01T00:00:00.000Z',
    },
  ],
  fiches: [{ territoire: 'ti-1', nb: 2, derniereModification: '2021-09-02T00:00:00.000Z' }],
  imports: [{ importId: 'imp-1', fichier: 'export.csv', ingereLe: '2021-09-24T10:00:00.000Z' }],
};

describe('recalculerAgregats', () => {
  it('writes the items and the files once; the same trigger again writes nothing', async () => {
    const s = store();
    const p = publication();
    const deps = { sources: sources(ETAT), store: s.port, publication: p.port };

    const premier = await recalculerAgregats(deps);
    expect(premier).toMatchObject({
      ecrit: true,
      fichiersEcrits: ['regions.json', 'regions.csv', 'index.html'],
    });
    expect(premier).toMatchObject({ nbLaureats: 3, nbTerritoires: 1, asOf: '2021-09-24T10:00:00.000Z' });

    const second = await recalculerAgregats(deps);
    expect(second).toMatchObject({ ecrit: false, fichiersEcrits: [], empreinte: premier.empreinte });
    expect(s.ecritures).toBe(1);

    const doc = await lireAgregats({ store: s.port });
    expect(doc.national).toMatchObject({
      nbLaureats: 3,
      investissement: 3.55,
      nbTerritoires: 1,
      nbFichesAction: 2,
    });
  });

  it('a change in the data (one more laureate) is written, with its new hash', async () => {
    const s = store();
    const p = publication();
    const etat = { ...ETAT, laureats: [...ETAT.laureats] };
    const deps = { sources: sources(etat), store: s.port, publication: p.port };
    const premier = await recalculerAgregats(deps);
    etat.laureats.push(laureat('D', '11', '75056', 1));
    const second = await recalculerAgregats(deps);
    expect(second.ecrit).toBe(true);
    expect(second.empreinte).not.toBe(premier.empreinte);
    expect((await lireAgregats({ store: s.port })).regions.map((r) => r.code)).toEqual(['11', '28', '32']);
  });

  it('starts over when another recompute wrote in between, and writes the fresh result', async () => {
    const s = store();
    const p = publication();
    const deps = { sources: sources(ETAT), store: s.port, publication: p.port };
    const ancien = await recalculerAgregats({ ...deps, sources: sources({ laureats: [] }) });
    s.avantEcriture = () => s.forcer('concurrent', { agregats: ETAT, territoires: [] } as never);
    const bilan = await recalculerAgregats(deps);
    expect(bilan.ecrit).toBe(true);
    expect(bilan.empreinte).not.toBe(ancien.empreinte);
    expect((await lireAgregats({ store: s.port })).national.nbLaureats).toBe(3);
  });
});

describe('reading', () => {
  it('before any recompute: 404 with a message that says when they are computed', async () => {
    const s = store();
    await expect(lireAgregats({ store: s.port })).rejects.toMatchObject({ kind: 'introuvable' });
    await expect(lireAgregatRegion({ store: s.port }, '32')).rejects.toThrow(/pas encore été calculés/);
  });

  it('a region: its aggregate; a known region without data: zeros; an unknown code: 404', async () => {
    const s = store();
    await recalculerAgregats({ sources: sources(ETAT), store: s.port, publication: publication().port });
    expect(await lireAgregatRegion({ store: s.port }, '32')).toMatchObject({
      code: '32',
      libelle: 'Hauts-de-France',
      nbLaureats: 2,
      nbTerritoires: 1,
      asOf: '2021-09-24T10:00:00.000Z',
      sources: ETAT.imports,
    });
    expect(await lireAgregatRegion({ store: s.port }, '94')).toMatchObject({
      code: '94',
      libelle: 'Corse',
      nbLaureats: 0,
      investissement: 0,
      asOf: '2021-09-24T10:00:00.000Z',
      sources: [],
    });
    expect(await lireAgregatRegion({ store: s.port }, '975')).toMatchObject({
      libelle: 'Saint-Pierre-et-Miquelon',
    });
    for (const code of ['99', '3', '999', 'abc']) {
      await expect(lireAgregatRegion({ store: s.port }, code)).rejects.toBeInstanceOf(ErreurDomaine);
    }
  });

  it('a territory: its aggregate; unknown or malformed: 404', async () => {
    const s = store();
    await recalculerAgregats({ sources: sources(ETAT), store: s.port, publication: publication().port });
    expect(await lireAgregatTerritoire({ store: s.port }, 'ti-1')).toMatchObject({
      id: 'ti-1',
      nbLaureats: 2,
      nbFichesAction: 2,
    });
    await expect(lireAgregatTerritoire({ store: s.port }, 'ti-2')).rejects.toMatchObject({
      kind: 'introuvable',
    });
    await expect(lireAgregatTerritoire({ store: s.port }, '../x')).rejects.toMatchObject({
      kind: 'introuvable',
    });
  });

  it('a published file by its name; any other name: 404', async () => {
    const p = publication();
    await expect(lireFichierOuvert({ publication: p.port }, 'index.html')).rejects.toMatchObject({
      kind: 'introuvable',
    });
    await p.port.publier({ asOf: null } as Agregats);
    expect(await lireFichierOuvert({ publication: p.port }, 'regions.csv')).toMatchObject({
      nom: 'regions.csv',
    });
    await expect(lireFichierOuvert({ publication: p.port }, '../rapports/x.json')).rejects.toThrow(
      /regions\.json/,
    );
  });
});

describe('attendreFinImports', () => {
  it('waits until the imports are closed, and says which are still running when time is up', async () => {
    let lectures = 0;
    const imports = {
      lire: async (id: string) => {
        lectures += 1;
        const statut = id === 'bloque' || lectures < 3 ? 'en_cours' : 'termine';
        return { importId: id, statut } as ImportLaureats;
      },
    };
    expect(await attendreFinImports(imports, ['a'], { pasMs: 1 })).toEqual([]);
    expect(await attendreFinImports(imports, ['a', 'bloque'], { delaiMs: 30, pasMs: 5 })).toEqual(['bloque']);
  });
});

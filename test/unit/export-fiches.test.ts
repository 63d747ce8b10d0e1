import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Operateur } from '@ti/domain/commun/acces';
import {
  type Cellule,
  COLONNES_EXPORT,
  ligneExport,
  preparerExportFiches,
} from '@ti/domain/fiches-action/export';
import { type FicheAction, FicheActionSaisie } from '@ti/domain/fiches-action/schema';
import { deposerFiche } from '@ti/domain/fiches-action/service';
import { importerTerritoires } from '@ti/domain/territoires/import';
import { csvFrancais, xlsx } from '@ti/platform/exports/tableur';
import { lireCsv } from '@ti/platform/fichiers/csv';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { exemple } from '../support/exemples';
import { campagnesEnMemoire, fichesEnMemoire, horlogeFixe, territoiresEnMemoire } from '../support/memoire';

const national: Operateur = { id: 'operateur-national', role: 'national' };
const auvergne: Operateur = { id: 'operateur-84', role: 'regional', region: '84' };
const saisie = (): FicheActionSaisie => FicheActionSaisie.parse(exemple('fiche-action-valide'));

async function octets(flux: Readable): Promise<Buffer> {
  const morceaux: Buffer[] = [];
  for await (const m of flux) morceaux.push(m as Buffer);
  return Buffer.concat(morceaux);
}

async function* depuis<T>(elements: Iterable<T>): AsyncGenerator<T> {
  for (const e of elements) yield e;
}

async function monde() {
  const territoires = territoiresEnMemoire();
  const horloge = horlogeFixe('2026-11-23T13:05:00.000Z');
  const csv = readFileSync(new URL('../../events/territoires-2023-2027.csv', import.meta.url));
  await importerTerritoires({ territoires, horloge }, lireCsv(csv), '2023-2027', national);
  let n = 0;
  const deps = {
    fiches: fichesEnMemoire(),
    territoires,
    campagnes: campagnesEnMemoire(),
    horloge,
    nouvelId: () => `fiche-${++n}`,
  };
  const piegee = saisie();
  piegee.titre = '=HYPERLINK("http://example.com";"Cliquez")';
  piegee.priorite = 'competences';
  await deposerFiche(deps, 'ti-8418', saisie(), 'f');
  await deposerFiche(deps, 'ti-8418', piegee, 'f');
  await deposerFiche(deps, 'ti-8419', saisie(), 'f');
  return deps;
}

async function lignesDe(source: AsyncIterable<Cellule[]>): Promise<Cellule[][]> {
  const lignes: Cellule[][] = [];
  for await (const l of source) lignes.push(l);
  return lignes;
}

describe('lignes de l’export des fiches-action', () => {
  it('couvre les territoires visibles, filtrés par priorité ; un opérateur régional ne voit que sa région', async () => {
    const deps = await monde();
    const toutes = await lignesDe((await preparerExportFiches(deps, {}, national)).lignes);
    expect(toutes.map((l) => l[1])).toEqual(['ti-8418', 'ti-8418', 'ti-8419']);
    const competences = await lignesDe(
      (await preparerExportFiches(deps, { priorite: 'competences' }, national)).lignes,
    );
    expect(competences).toHaveLength(1);
    const auvergnates = await lignesDe((await preparerExportFiches(deps, {}, auvergne)).lignes);
    expect(auvergnates.map((l) => l[1])).toEqual(['ti-8419']);
    await expect(preparerExportFiches(deps, { region: '32' }, auvergne)).rejects.toMatchObject({
      kind: 'interdit',
    });
  });

  it('donne les montants en centimes et le besoin de financement de la fiche', async () => {
    const deps = await monde();
    const fiche = (await deps.fiches.lire('fiche-1')) as FicheAction;
    const ligne = ligneExport(fiche, undefined);
    const valeur = (titre: string) => ligne[COLONNES_EXPORT.findIndex((c) => c.titre === titre)];
    expect(valeur('Coût total (€)')).toBe(125_000_050);
    expect(valeur('Financements acquis (€)')).toBe(86_250_045);
    expect(valeur('Financements sollicités (€)')).toBe(18_750_005);
    expect(valeur('Besoin de financement (€)')).toBe(38_750_005);
  });
});

describe('fichiers de l’export, relus comme un tableur les lit', () => {
  it('CSV à la française : BOM UTF-8, « ; », virgule décimale, dates JJ/MM/AAAA, accents, formules neutralisées', async () => {
    const deps = await monde();
    const { lignes } = await preparerExportFiches(deps, {}, national);
    const { flux, termine } = csvFrancais(COLONNES_EXPORT, lignes);
    const fichier = await octets(flux);
    expect(await termine).toBe(3);
    expect([...fichier.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const texte = fichier.toString('utf8');
    expect(texte).toContain('\r\n');
    const [entete = [], ...rangs] = parse(texte, { delimiter: ';', bom: true }) as string[][];
    expect(entete).toEqual(COLONNES_EXPORT.map((c) => c.titre));
    const cellule = (rang: string[] | undefined, titre: string) => rang?.[entete.indexOf(titre)];
    const premiere = rangs[0];
    expect(cellule(premiere, 'Titre')).toBe('Décarboner les fours verriers de la Glass Vallée');
    expect(cellule(premiere, 'Nom du territoire')).toBe('Vallée de la Bresle – Vimeu');
    expect(cellule(premiere, 'Régions')).toBe('28, 32');
    expect(cellule(premiere, 'Priorité')).toBe('Transition écologique');
    expect(cellule(premiere, 'Coût total (€)')).toBe('1250000,50');
    expect(cellule(premiere, 'Besoin de financement (€)')).toBe('387500,05');
    expect(cellule(premiere, 'Fin')).toBe('30/06/2027');
    expect(cellule(premiere, 'Déposée le')).toBe('23/11/2026 14:05');
    expect(cellule(premiere, 'SIRET du porteur')).toBe('44781209000010');
    expect(cellule(premiere, 'Financeurs')).toContain(
      "ADEME — Décarbonation de l'industrie (sollicite) ; Bpifrance",
    );
    expect(cellule(rangs[1], 'Titre')).toBe('\'=HYPERLINK("http://example.com";"Cliquez")');
  });

  it('XLSX : nombres en euros, vraies dates, accents, en-tête figé', async () => {
    const deps = await monde();
    const { lignes } = await preparerExportFiches(deps, {}, national);
    const { flux, termine } = xlsx(COLONNES_EXPORT, lignes, 'Fiches-action');
    const fichier = await octets(flux);
    expect(await termine).toBe(3);
    const classeur = new ExcelJS.Workbook();
    await classeur.xlsx.load(fichier as unknown as ArrayBuffer);
    const onglet = classeur.getWorksheet('Fiches-action') as ExcelJS.Worksheet;
    expect(onglet.rowCount).toBe(4);
    const colonne = (titre: string) => COLONNES_EXPORT.findIndex((c) => c.titre === titre) + 1;
    expect(onglet.getRow(1).getCell(colonne('Coût total (€)')).value).toBe('Coût total (€)');
    const rang = onglet.getRow(2);
    expect(rang.getCell(colonne('Titre')).value).toBe('Décarboner les fours verriers de la Glass Vallée');
    expect(rang.getCell(colonne('Coût total (€)')).value).toBe(1250000.5);
    expect(rang.getCell(colonne('Besoin de financement (€)')).value).toBe(387500.05);
    expect(rang.getCell(colonne('Besoin de financement (€)')).numFmt).toBe('#,##0.00');
    expect(rang.getCell(colonne('Fin')).value).toEqual(new Date('2027-06-30T00:00:00Z'));
    expect(rang.getCell(colonne('Déposée le')).value).toEqual(new Date('2026-11-23T14:05:00Z'));
    expect(onglet.getRow(3).getCell(colonne('Titre')).value).toBe(
      '=HYPERLINK("http://example.com";"Cliquez")',
    );
    expect(onglet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('écrit en flux : le premier morceau sort bien avant que 10 000 lignes soient lues', async () => {
    const VALEURS = {
      montant: 12_345,
      date: '2027-01-01',
      instant: '2026-01-01T00:00:00Z',
      entier: 1,
      texte: 'Fiche n°',
    };
    const ligne = (): Cellule[] => COLONNES_EXPORT.map((c) => VALEURS[c.type]);
    let lues = 0;
    async function* dixMille(): AsyncGenerator<Cellule[]> {
      for (let i = 0; i < 10_000; i++) {
        lues += 1;
        yield ligne();
      }
    }
    const { flux, termine } = csvFrancais(COLONNES_EXPORT, dixMille());
    const iterateur = flux[Symbol.asyncIterator]();
    await iterateur.next();
    expect(lues).toBeGreaterThan(0);
    expect(lues).toBeLessThan(1_000);
    let taille = 0;
    for (let m = await iterateur.next(); !m.done; m = await iterateur.next())
      taille += (m.value as Buffer).length;
    expect(await termine).toBe(10_000);
    expect(taille).toBeGreaterThan(1_000_000);

    const classeur = xlsx(COLONNES_EXPORT, depuis(Array.from({ length: 10_000 }, ligne)), 'x');
    const relu = new ExcelJS.Workbook();
    await relu.xlsx.load((await octets(classeur.flux)) as unknown as ArrayBuffer);
    expect(await classeur.termine).toBe(10_000);
    expect(relu.worksheets[0]?.rowCount).toBe(10_001);
  }, 60_000); // 10,000 rows written and read back twice: seconds on a shared 2-core machine
});

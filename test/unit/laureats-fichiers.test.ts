import { FichierIllisible } from '@ti/domain/laureats/ports';
import { decoderEnFlux, lireTableauEnFlux } from '@ti/platform/fichiers/flux';
import { importIdDe, objetsDeLEvenement } from '@ti/platform/s3/laureats';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { csvUtf8Bom, csvWindows1252, EXPORT_SEPTEMBRE, xlsx } from '../support/laureats-exemples';

/** The bytes cut into chunks of `taille` (1: every multi-byte character straddles two chunks). */
async function* morceaux(octets: Buffer, taille: number) {
  for (let i = 0; i < octets.length; i += taille) yield octets.subarray(i, i + taille);
}

async function lire(octets: Buffer, taille = 64 * 1024) {
  const tableau = await lireTableauEnFlux(morceaux(octets, taille));
  const lignes: { numero: number; cellules: unknown[] }[] = [];
  for await (const l of tableau.lignes) lignes.push(l);
  return { tableau, lignes };
}

async function texte(octets: Buffer, taille: number) {
  const { texte: flux, encodage } = decoderEnFlux(morceaux(octets, taille));
  let t = '';
  for await (const m of flux) t += m;
  return { t, encodage: encodage() };
}

describe('décodage en flux', () => {
  const phrase = 'Aide État : 1\u00a0234,56 € — Île-de-France, « Relocalisation » œuvre';
  it.each([1, 2, 3, 7, 4096])(
    'Windows-1252, UTF-8 avec et sans BOM, UTF-16 : même texte (morceaux de %i octets)',
    async (taille) => {
      const w1252 = iconv.encode(`id;texte\r\n1;${phrase}\r\n`, 'windows-1252');
      expect(await texte(w1252, taille)).toEqual({
        t: `id;texte\r\n1;${phrase}\r\n`,
        encodage: 'windows-1252',
      });
      const utf8 = Buffer.from(`id;texte\n1;${phrase}\n`);
      expect(await texte(utf8, taille)).toEqual({ t: `id;texte\n1;${phrase}\n`, encodage: 'utf-8' });
      const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
      expect(await texte(bom, taille)).toEqual({ t: `id;texte\n1;${phrase}\n`, encodage: 'utf-8' });
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(`a;b\n${phrase}`, 'utf-16le')]);
      expect(await texte(utf16, taille)).toEqual({ t: `a;b\n${phrase}`, encodage: 'utf-16le' });
    },
  );

  it('un fichier Windows-1252 dont le premier accent vient tard est lu en Windows-1252', async () => {
    const long = `${'x;y\r\n'.repeat(50_000)}é;€\r\n`;
    const { t, encodage } = await texte(iconv.encode(long, 'windows-1252'), 65_536);
    expect(encodage).toBe('windows-1252');
    expect(t.endsWith('é;€\r\n')).toBe(true);
  });
});

describe('lecture en flux des exports', () => {
  it('CSV Windows-1252 « ; » : lignes numérotées comme dans le tableur, champ sur deux lignes compris', async () => {
    const { tableau, lignes } = await lire(csvWindows1252(EXPORT_SEPTEMBRE), 5);
    expect(tableau.format).toBe('csv');
    expect(tableau.separateur).toBe(';');
    expect(tableau.encodage()).toBe('windows-1252');
    expect(lignes[0]?.cellules[11]).toBe('Montant investissement (€)');
    expect(lignes.map((l) => l.numero)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    expect(lignes[6]?.cellules[3]).toBe('Mécanique "Picarde" SAS');
    expect(lignes[6]?.cellules[7]).toBe('Ligne « Vimeu » ; extension, phase "2"\nLot 1 : bâtiment');
    expect(lignes[7]?.numero).toBe(8);
    expect(tableau.octetsLus()).toBe(csvWindows1252(EXPORT_SEPTEMBRE).length);
  });

  it('CSV UTF-8 avec BOM « , » : mêmes cellules de texte', async () => {
    const a = await lire(csvWindows1252(EXPORT_SEPTEMBRE));
    const b = await lire(csvUtf8Bom(EXPORT_SEPTEMBRE), 3);
    expect(b.tableau.separateur).toBe(',');
    expect(b.tableau.encodage()).toBe('utf-8');
    expect(b.lignes.length).toBe(a.lignes.length);
    expect(b.lignes[1]?.cellules[0]).toBe('FAIIT-2021-004512');
    expect(b.lignes[6]?.cellules[7]).toBe(a.lignes[6]?.cellules[7]);
  });

  it('tabulation, fins de ligne LF, lignes vides comptées', async () => {
    const { tableau, lignes } = await lire(Buffer.from('a\tb\n\n1\t"x\ty"\n2\t3'));
    expect(tableau.separateur).toBe('\t');
    expect(lignes).toEqual([
      { numero: 1, cellules: ['a', 'b'] },
      { numero: 2, cellules: [''] },
      { numero: 3, cellules: ['1', 'x\ty'] },
      { numero: 4, cellules: ['2', '3'] },
    ]);
  });

  it('XLSX : première feuille, nombres, dates et textes tels quels', async () => {
    const { tableau, lignes } = await lire(await xlsx(EXPORT_SEPTEMBRE), 1000);
    expect(tableau.format).toBe('xlsx');
    expect(lignes[0]?.cellules[0]).toBe('IDENTIFIANT PROJET');
    const a1 = lignes.find((l) => l.numero === 2)?.cellules ?? [];
    expect(a1[0]).toBe('FAIIT-2021-004512');
    expect(a1[2]).toEqual(new Date('2021-03-15T00:00:00Z'));
    expect(a1[8]).toBe(1053);
    expect(a1[11]).toBe(1234567.89);
  });

  it('un guillemet jamais fermé arrête la lecture à sa ligne ; un .xls ou un binaire est refusé', async () => {
    const lues: number[] = [];
    const erreur = await (async () => {
      for await (const l of (await lireTableauEnFlux(morceaux(Buffer.from('a;b\n1;2\n3;"4\n5;6\n'), 4)))
        .lignes) {
        lues.push(l.numero);
      }
    })().catch((e) => e);
    expect(erreur).toBeInstanceOf(FichierIllisible);
    expect(erreur.ligne).toBe(3);
    expect(lues).toEqual([1, 2]);
    await expect(
      lireTableauEnFlux(morceaux(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0, 0, 0]), 8)),
    ).rejects.toThrow(/\.xls/);
    await expect(lireTableauEnFlux(morceaux(Buffer.from([1, 2, 0, 4, 5, 6, 7, 8, 9]), 8))).rejects.toThrow(
      /binaire/,
    );
  });

  it('XLSX : la première feuille est le premier onglet du classeur, quel que soit l’ordre des fichiers', async () => {
    // Two sheets: `sheet1.xml` holds notes, `sheet2.xml` the laureates; the workbook lists the
    // laureates' tab first, and the archive is rewritten with the workbook before the sheets.
    const classeur = new ExcelJS.Workbook();
    classeur.addWorksheet('Notes').addRow(['à ignorer']);
    classeur.addWorksheet('Lauréats').addRow(['Identifiant projet', 'Montant']);
    classeur.getWorksheet('Lauréats')?.addRow(['FAIIT-2021-004512', 1234567.89]);
    const archive = await JSZip.loadAsync(Buffer.from(await classeur.xlsx.writeBuffer()));
    const xml = await archive.file('xl/workbook.xml')?.async('string');
    const onglets = xml?.match(/<sheet [^>]*\/>/g) ?? [];
    expect(onglets).toHaveLength(2);
    archive.file(
      'xl/workbook.xml',
      xml?.replace(`${onglets[0]}${onglets[1]}`, `${onglets[1]}${onglets[0]}`) ?? '',
    );
    const octets = await archive.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });

    const { lignes } = await lire(octets);
    expect(lignes.map((l) => l.cellules)).toEqual([
      ['Identifiant projet', 'Montant'],
      ['FAIIT-2021-004512', 1234567.89],
    ]);
  });

  it('un XLSX tronqué est illisible', async () => {
    const octets = await xlsx(EXPORT_SEPTEMBRE);
    const erreur = await lire(octets.subarray(0, Math.floor(octets.length / 2))).catch((e) => e);
    expect(erreur).toBeInstanceOf(FichierIllisible);
  });
});

describe('événements S3', () => {
  it('notification S3 (s3rver, Lambda) et « Object Created » d’EventBridge donnent le même objet', () => {
    const notification = {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: {
            bucket: { name: 'ti-laureats' },
            object: { key: 'exports/depos%C3%A9+sept.csv', size: 12, eTag: '"abc"', versionId: 'v1' },
          },
        },
        {
          eventName: 'ObjectRemoved:Delete',
          s3: { bucket: { name: 'ti-laureats' }, object: { key: 'exports/x.csv' } },
        },
      ],
    };
    const eventBridge = {
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: {
        bucket: { name: 'ti-laureats' },
        object: { key: 'exports/deposé sept.csv', size: 12, etag: 'abc', 'version-id': 'v1' },
      },
    };
    const [a] = objetsDeLEvenement(notification);
    const [b] = objetsDeLEvenement(eventBridge);
    expect(objetsDeLEvenement(notification)).toHaveLength(1);
    expect(a).toMatchObject({
      bucket: 'ti-laureats',
      cle: 'exports/deposé sept.csv',
      taille: 12,
      etag: 'abc',
      versionId: 'v1',
    });
    expect(b).toEqual({
      bucket: 'ti-laureats',
      cle: 'exports/deposé sept.csv',
      taille: 12,
      etag: 'abc',
      versionId: 'v1',
    });
    expect(objetsDeLEvenement({ hello: 'world' })).toEqual([]);
  });

  it('l’id d’import : celui du dépôt par l’API, sinon dérivé du seau et de la clé', () => {
    const id = '0b8c3a5e-1d2f-4a6b-9c8d-7e6f5a4b3c2d';
    expect(importIdDe({ bucket: 'b', cle: `exports/depots/${id}/sept.csv` })).toBe(id);
    expect(importIdDe({ bucket: 'b', cle: 'exports/bpifrance/2021-09-24/x.csv' })).toMatch(
      /^imp-[0-9a-f]{24}$/,
    );
    expect(importIdDe({ bucket: 'b', cle: 'exports/a.csv' })).not.toBe(
      importIdDe({ bucket: 'b', cle: 'exports/b.csv' }),
    );
  });
});

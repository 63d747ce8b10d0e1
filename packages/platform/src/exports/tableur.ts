import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { centimesFr } from '@ti/domain/commun/montants';
import { dateFr } from '@ti/domain/commun/temps';
import type { Cellule, Colonne } from '@ti/domain/fiches-action/export';
import ExcelJS from 'exceljs';

/**
 * Spreadsheet files written as a stream, row after row, from an async source of rows: memory stays
 * flat whatever the number of rows. Cells follow the domain's column types (`Colonne.type`).
 */

export interface FluxTableur {
  /** The file's bytes, produced as the rows are read. */
  flux: Readable;
  /** Resolves once the whole file is written, with the number of data rows. */
  termine: Promise<number>;
}

const heureParis = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** `2026-11-23T13:05:00Z` → `23/11/2026 14:05` (Paris time, as operators read it). */
export const instantFr = (iso: string) => heureParis.format(new Date(iso)).replace(',', '');

/** An instant as the Paris wall-clock time, in a Date a spreadsheet shows as is (it has no time zones). */
function horlogeParis(iso: string): Date {
  const p = Object.fromEntries(heureParis.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return new Date(
    Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)),
  );
}

/** A text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`…) is neutralised with a quote. */
const neutraliser = (texte: string) => (/^[=+\-@\t\r]/.test(texte) ? `'${texte}` : texte);

function celluleCsv(valeur: Cellule, type: Colonne['type']): string {
  if (valeur === null || valeur === '') return '';
  let texte: string;
  if (type === 'montant') texte = centimesFr(valeur as number);
  else if (type === 'date') texte = dateFr(String(valeur));
  else if (type === 'instant') texte = instantFr(String(valeur));
  else if (type === 'entier') texte = String(valeur);
  else texte = neutraliser(String(valeur));
  return /[";\r\n]/.test(texte) ? `"${texte.replaceAll('"', '""')}"` : texte;
}

/** Rows are gathered into chunks of about this many characters before being handed on. */
const TAILLE_MORCEAU = 64 * 1024;

/**
 * CSV in the French Excel convention: UTF-8 with BOM (so Excel reads the accents), `;` separator,
 * decimal comma, dates `JJ/MM/AAAA`, CRLF line ends.
 */
export function csvFrancais(colonnes: readonly Colonne[], lignes: AsyncIterable<Cellule[]>): FluxTableur {
  let compte = 0;
  let fin: (n: number) => void = () => {};
  let echec: (e: unknown) => void = () => {};
  const termine = new Promise<number>((resolve, reject) => {
    fin = resolve;
    echec = reject;
  });
  async function* morceaux() {
    try {
      let tampon = `\uFEFF${colonnes.map((c) => celluleCsv(c.titre, 'texte')).join(';')}\r\n`;
      for await (const ligne of lignes) {
        tampon += `${ligne.map((v, i) => celluleCsv(v, colonnes[i]?.type ?? 'texte')).join(';')}\r\n`;
        compte += 1;
        if (tampon.length >= TAILLE_MORCEAU) {
          yield Buffer.from(tampon, 'utf8');
          tampon = '';
        }
      }
      if (tampon) yield Buffer.from(tampon, 'utf8');
      fin(compte);
    } catch (error) {
      echec(error);
      throw error;
    }
  }
  termine.catch(() => {});
  return { flux: Readable.from(morceaux(), { objectMode: false }), termine };
}

function celluleXlsx(valeur: Cellule, type: Colonne['type']): ExcelJS.CellValue {
  if (valeur === null || valeur === '') return null;
  if (type === 'montant') return (valeur as number) / 100;
  if (type === 'date') return new Date(`${String(valeur)}T00:00:00Z`);
  if (type === 'instant') return horlogeParis(String(valeur));
  return valeur;
}

const FORMATS: Partial<Record<Colonne['type'], string>> = {
  montant: '#,##0.00',
  date: 'dd/mm/yyyy',
  instant: 'dd/mm/yyyy hh:mm',
  entier: '0',
};

/**
 * XLSX through exceljs' streaming writer: each row is committed (written out) as soon as it is
 * added. Amounts are numbers in euros (Excel shows them with the reader's decimal separator), dates
 * are dates.
 */
export function xlsx(
  colonnes: readonly Colonne[],
  lignes: AsyncIterable<Cellule[]>,
  feuille: string,
): FluxTableur {
  const flux = new PassThrough();
  const classeur = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: flux,
    useStyles: true,
    useSharedStrings: false,
  });
  const onglet = classeur.addWorksheet(feuille, { views: [{ state: 'frozen', ySplit: 1 }] });
  onglet.columns = colonnes.map((c, i) => ({
    header: c.titre,
    key: String(i),
    width: c.largeur,
    ...(FORMATS[c.type] ? { style: { numFmt: FORMATS[c.type] } } : {}),
  }));
  onglet.getRow(1).font = { bold: true };
  const termine = (async () => {
    let compte = 0;
    try {
      for await (const ligne of lignes) {
        onglet.addRow(ligne.map((v, i) => celluleXlsx(v, colonnes[i]?.type ?? 'texte'))).commit();
        compte += 1;
        // exceljs writes without waiting: wait here while the reader (the upload) is behind.
        if (flux.writableNeedDrain) await once(flux, 'drain');
      }
      onglet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: colonnes.length } };
      onglet.commit();
      await classeur.commit();
      return compte;
    } catch (error) {
      flux.destroy(error as Error);
      throw error;
    }
  })();
  termine.catch(() => {});
  return { flux, termine };
}

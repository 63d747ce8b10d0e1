import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Cellule, Colonne } from '@ti/domain/fiches-action/export';
import ExcelJS from 'exceljs';
import { type FluxTableur, horlogeParis } from './csv-francais';

export { csvFrancais, type FluxTableur } from './csv-francais';

/**
 * Spreadsheet files written as a stream, row after row, from an async source of rows: memory stays
 * flat whatever the number of rows. Cells follow the domain's column types (`Colonne.type`). The CSV
 * writer lives in `csv-francais.ts`, which does not load exceljs.
 */

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

import { Readable } from 'node:stream';
import type { CelluleLue } from '@ti/domain/laureats/ligne';
import { FichierIllisible, type LigneBrute, type TableauEnFlux } from '@ti/domain/laureats/ports';
import type ExcelJS from 'exceljs';
import { type Separateur, separateurDe } from './csv';
import { DecoupeurCsv, GuillemetNonFerme } from './decoupage-csv';
import { bomDe, estXlsx } from './signatures';
import type { Encodage } from './texte';

/**
 * Files read as streams, row after row, whatever their size: memory holds a chunk and a row, not the
 * file. The rules are those of `decoderTexte` and `lireCsv` (BOM, UTF-8 or Windows-1252, the
 * separator of the header line) applied to a stream; XLSX through exceljs' parsers, its sheet
 * decompressed as a stream (the compressed archive is held, see `lireXlsxEnFlux`).
 * CSV is cut by `DecoupeurCsv` (see why there).
 * Rows carry their number as a spreadsheet shows it (empty lines count, a quoted line break does not).
 */

export type FormatFichier = 'csv' | 'xlsx';

export interface TableauLu extends TableauEnFlux {
  format: FormatFichier;
  /** CSV only, known once the first rows are read. */
  encodage(): Encodage | undefined;
  separateur: Separateur | undefined;
}

type Octets = AsyncIterable<Uint8Array>;

/** Counts the bytes that go through. */
function compteur(source: Octets): { flux: AsyncGenerator<Buffer>; lus: () => number } {
  let lus = 0;
  async function* flux() {
    for await (const morceau of source) {
      lus += morceau.byteLength;
      yield Buffer.isBuffer(morceau) ? morceau : Buffer.from(morceau);
    }
  }
  return { flux: flux(), lus: () => lus };
}

/** Gives back `debut` (unless empty), then the rest of `source`. */
async function* prefixer<T extends { length: number }>(
  debut: T,
  source: AsyncIterator<T>,
): AsyncGenerator<T> {
  try {
    if (debut.length > 0) yield debut;
    for (let n = await source.next(); !n.done; n = await source.next()) yield n.value;
  } finally {
    await source.return?.();
  }
}

/** The first chunk, and a stream that gives it back followed by the rest. */
async function entamer(
  source: AsyncIterator<Buffer>,
): Promise<{ debut: Buffer; tout: AsyncGenerator<Buffer> }> {
  let debut = Buffer.alloc(0);
  while (debut.length < 8) {
    const suivant = await source.next();
    if (suivant.done) break;
    debut = Buffer.concat([debut, suivant.value]);
  }
  return { debut, tout: prefixer(debut, source) };
}

/** Length of the UTF-8 sequence starting at `i` if it is a valid one, 0 if invalid, -1 if cut short. */
function sequenceUtf8(b: Buffer, i: number): number {
  const c = b[i] as number;
  const longueur = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (longueur === 0) return 0;
  for (let k = 1; k < longueur; k++) {
    if (i + k >= b.length) return -1;
    if (((b[i + k] as number) & 0xc0) !== 0x80) return 0;
  }
  return longueur;
}

/** ICU's decoders (WHATWG labels: `windows-1252` is Windows-1252, bytes 0x80–0x9F included); BOMs are handled above. */
const decodeurNatif = (encodage: Encodage) => new TextDecoder(encodage, { ignoreBOM: true });

/**
 * Decodes a byte stream the way `decoderTexte` decodes a whole file: a BOM decides (UTF-8, UTF-16);
 * otherwise the first non-ASCII character does: valid UTF-8 → UTF-8, else Windows-1252 (French Excel's
 * "CSV (séparateur : point-virgule)"). ASCII reads the same in both, so nothing is held back to decide.
 */
export function decoderEnFlux(source: Octets): {
  texte: AsyncGenerator<string>;
  encodage: () => Encodage | undefined;
} {
  let encodage: Encodage | undefined;
  async function* texte() {
    let decodeur: ReturnType<typeof decodeurNatif> | undefined;
    let reste = Buffer.alloc(0);
    let premier = true;
    for await (const brut of source) {
      let morceau = reste.length > 0 ? Buffer.concat([reste, Buffer.from(brut)]) : Buffer.from(brut);
      reste = Buffer.alloc(0);
      if (premier) {
        if (morceau.length < 3 && morceau.length > 0) {
          reste = morceau;
          continue;
        }
        premier = false;
        const bom = bomDe(morceau);
        if (bom) {
          encodage = bom.encodage;
          morceau = morceau.subarray(bom.longueur);
          decodeur = decodeurNatif(encodage);
        }
      }
      if (!decodeur) {
        const latin1 = morceau.toString('latin1');
        const i = latin1.search(/[\u0080-\u00ff]/);
        if (i === -1) {
          yield latin1;
          continue;
        }
        const longueur = sequenceUtf8(morceau, i);
        if (longueur === -1) {
          // The character straddles two chunks: decide with the next one.
          if (i > 0) yield morceau.subarray(0, i).toString('latin1');
          reste = morceau.subarray(i);
          continue;
        }
        encodage = longueur > 0 ? 'utf-8' : 'windows-1252';
        decodeur = decodeurNatif(encodage);
      }
      const t = decodeur.decode(morceau, { stream: true });
      if (t) yield t;
    }
    if (reste.length > 0) {
      encodage ??= sequenceUtf8(reste, 0) > 0 ? 'utf-8' : 'windows-1252';
      decodeur ??= decodeurNatif(encodage);
      const t = decodeur.decode(reste, { stream: true });
      if (t) yield t;
    }
    const fin = decodeur?.decode();
    if (fin) yield fin;
    encodage ??= 'utf-8';
  }
  return { texte: texte(), encodage: () => encodage };
}

/** CSV rows: the separator is the header line's (`;`, `,` or tab), quoted fields may hold anything. */
async function lireCsvEnFlux(octets: Octets, lus: () => number): Promise<TableauLu> {
  const { texte, encodage } = decoderEnFlux(octets);
  const source = texte[Symbol.asyncIterator]();
  // Enough text to hold the first non-empty line (the header), whatever the chunk sizes.
  let debut = '';
  while (!/\S[^\r\n]*\r?\n/.test(debut)) {
    const n = await source.next();
    if (n.done) break;
    debut += n.value;
  }
  const separateur = separateurDe(debut.replace(/^(\s*\r?\n)+/, ''));
  const decoupeur = new DecoupeurCsv(separateur);

  async function* lignes(): AsyncGenerator<LigneBrute> {
    let numero = 0;
    const morceaux = prefixer(debut, source);
    try {
      for (let n = await morceaux.next(); !n.done; n = await morceaux.next()) {
        for (const cellules of decoupeur.ajouter(n.value)) yield { numero: ++numero, cellules };
      }
      for (const cellules of decoupeur.terminer()) yield { numero: ++numero, cellules };
    } catch (error) {
      if (error instanceof GuillemetNonFerme) throw new FichierIllisible(error.message, numero + 1);
      throw error;
    } finally {
      await morceaux.return(undefined);
    }
  }
  return { format: 'csv', lignes: lignes(), octetsLus: lus, encodage, separateur };
}

type ValeurExcel = ExcelJS.CellValue | undefined;

/** An XLSX cell as text, number, date or boolean (formulas give their result, rich text its text). */
function celluleXlsx(v: ValeurExcel): CelluleLue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('result' in v) return celluleXlsx(v.result as ValeurExcel);
  if ('formula' in v || 'sharedFormula' in v) return null;
  if ('text' in v) return typeof v.text === 'string' ? v.text : celluleXlsx(v.text as ValeurExcel);
  if ('error' in v) return String(v.error);
  return null;
}

/** What of exceljs' streaming reader is used below: its parsers of each part, fed in the order they need. */
interface LecteurClasseur {
  _parseRels(entree: Readable): Promise<void>;
  _parseWorkbook(entree: Readable): Promise<void>;
  _parseSharedStrings(entree: Readable): AsyncGenerator<unknown>;
  _parseStyles(entree: Readable): Promise<void>;
  _parseWorksheet(entree: Readable, numero: string): Generator<{ value: AsyncIterable<ExcelJS.Row> }>;
  model?: { sheets?: { rId: string }[] };
  workbookRels?: { Id: string; Target: string }[];
}

/**
 * The first worksheet's rows, one at a time. The archive is read by its central directory (JSZip), and
 * each part handed to exceljs' own parsers in the order they depend on each other (relationships,
 * workbook, shared strings, styles, then the sheet, decompressed as a stream). exceljs' reader of a ZIP
 * *stream* is not used: it reads entries in the archive's order, which puts the sheets before the shared
 * strings and the workbook in files Excel and exceljs write (it then parks the sheet in a temporary
 * file), and finds the end of an entry written with a data descriptor by scanning for its signature:
 * under load it was seen losing the workbook or misreading rows, depending on how the bytes arrived.
 */
function lireXlsxEnFlux(octets: Octets, lus: () => number): TableauLu {
  async function* lignes(): AsyncGenerator<LigneBrute> {
    // The archive itself is compressed: a few megabytes for the largest exports; its sheet is not held.
    const morceaux: Buffer[] = [];
    for await (const m of octets) morceaux.push(Buffer.from(m));
    // Loaded for XLSX files only: the module alone weighs some 30 MB of memory once loaded.
    const [{ default: Excel }, { default: JSZip }] = await Promise.all([import('exceljs'), import('jszip')]);
    let archive: InstanceType<typeof JSZip>;
    try {
      archive = await JSZip.loadAsync(Buffer.concat(morceaux));
    } catch (error) {
      throw new FichierIllisible(`classeur XLSX illisible (${(error as Error).message})`);
    }
    const partie = (nom: string): Readable | undefined => {
      const fichier = archive.file(nom);
      return fichier ? (fichier.nodeStream('nodebuffer') as unknown as Readable) : undefined;
    };
    const lecteur = new Excel.stream.xlsx.WorkbookReader(Readable.from([]), {
      worksheets: 'emit',
      sharedStrings: 'cache',
      hyperlinks: 'ignore',
      styles: 'cache',
      entries: 'ignore',
    }) as unknown as LecteurClasseur;
    try {
      const rels = partie('xl/_rels/workbook.xml.rels');
      const classeur = partie('xl/workbook.xml');
      if (!rels || !classeur) throw new Error('ni xl/workbook.xml ni ses relations');
      await lecteur._parseRels(rels);
      await lecteur._parseWorkbook(classeur);
      const chaines = partie('xl/sharedStrings.xml');
      if (chaines) for await (const _ of lecteur._parseSharedStrings(chaines));
      const styles = partie('xl/styles.xml');
      if (styles) await lecteur._parseStyles(styles);
      // The first sheet in the workbook's order (its tab), not the first file name.
      const premiere = lecteur.model?.sheets?.[0];
      const cible = lecteur.workbookRels?.find((r) => r.Id === premiere?.rId)?.Target;
      const numero = cible?.match(/sheet(\d+)\.xml$/)?.[1];
      const feuille = cible ? partie(`xl/${cible.replace(/^\/?xl\//, '')}`) : undefined;
      if (!numero || !feuille) throw new Error('aucune feuille');
      for (const { value } of lecteur._parseWorksheet(feuille, numero)) {
        for await (const ligne of value) {
          const valeurs = ligne.values as ValeurExcel[];
          const cellules: CelluleLue[] = [];
          for (let i = 1; i < valeurs.length; i++) cellules.push(celluleXlsx(valeurs[i]));
          yield { numero: ligne.number, cellules };
        }
      }
    } catch (error) {
      if (error instanceof FichierIllisible) throw error;
      throw new FichierIllisible(`classeur XLSX illisible (${(error as Error).message})`);
    }
  }
  return {
    format: 'xlsx',
    lignes: lignes(),
    octetsLus: lus,
    encodage: () => undefined,
    separateur: undefined,
  };
}

/**
 * Opens a CSV or XLSX file from its bytes (an S3 object's body, a local file): the format is told by
 * its first bytes (an XLSX file is a ZIP archive), not by its name.
 */
export async function lireTableauEnFlux(source: Octets): Promise<TableauLu> {
  const { flux, lus } = compteur(source);
  const { debut, tout } = await entamer(flux);
  if (estXlsx(debut)) return lireXlsxEnFlux(tout, lus);
  if (debut.length >= 4 && debut[0] === 0xd0 && debut[1] === 0xcf && debut[2] === 0x11 && debut[3] === 0xe0) {
    throw new FichierIllisible(
      'format Excel 97-2003 (.xls) non pris en charge : enregistrez le fichier en .xlsx ou .csv',
    );
  }
  if (debut.includes(0)) {
    const utf16 = bomDe(debut)?.encodage.startsWith('utf-16');
    if (!utf16) throw new FichierIllisible('fichier binaire : ni CSV ni XLSX');
  }
  return lireCsvEnFlux(tout, lus);
}

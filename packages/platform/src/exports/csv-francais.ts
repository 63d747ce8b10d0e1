import { Readable } from 'node:stream';
import { centimesFr } from '@ti/domain/commun/montants';
import { dateFr } from '@ti/domain/commun/temps';
import type { Cellule, Colonne } from '@ti/domain/fiches-action/export';

/**
 * French CSV and Paris time, without exceljs (some 30 MB of memory): what the open-data files and the
 * ingestion's reports need. The spreadsheet writers (`tableur.ts`) build on it.
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
export function horlogeParis(iso: string): Date {
  const p = Object.fromEntries(heureParis.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return new Date(
    Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)),
  );
}

/** A CSV field in the French Excel convention (`;`, quotes doubled): quoted when it must be. */
export const champCsv = (texte: string) =>
  /[";\r\n]/.test(texte) ? `"${texte.replaceAll('"', '""')}"` : texte;

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
  return champCsv(texte);
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

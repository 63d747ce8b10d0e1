import { requeteInvalide } from '@ti/domain/commun/erreurs';
import type { Tableau } from '@ti/domain/commun/tableau';
import { CsvError, parse } from 'csv-parse/sync';
import { decoderTexte, type Encodage } from './texte';

export type Separateur = ';' | ',' | '\t';

/** The separator of the header line: `;` (French Excel) unless the line holds more `,` or tabs. */
export function separateurDe(texte: string): Separateur {
  const entete = texte.slice(0, texte.search(/\r?\n|$/));
  const compte = (c: string) => entete.split(c).length - 1;
  const candidats: Separateur[] = [';', ',', '\t'];
  return candidats.reduce((meilleur, c) => (compte(c) > compte(meilleur) ? c : meilleur), ';');
}

/**
 * Reads a CSV file (any encoding `decoderTexte` knows, `;` or `,` separated) into a table whose rows
 * carry their line number as a spreadsheet shows it. Values stay strings: codes keep their zeros.
 */
export function lireCsv(octets: Uint8Array): Tableau & { encodage: Encodage; separateur: Separateur } {
  const { texte, encodage } = decoderTexte(octets);
  const separateur = separateurDe(texte);
  let enregistrements: { record: string[]; info: { lines: number } }[];
  try {
    enregistrements = parse(texte, {
      delimiter: separateur,
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    }) as unknown as typeof enregistrements;
  } catch (error) {
    // The file is the client's: one csv-parse cannot read is a malformed body (400), not our failure.
    if (!(error instanceof CsvError)) throw error;
    const ligne = (error as CsvError & { lines?: number }).lines;
    const raison =
      error.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'un guillemet ouvert n’est jamais fermé'
        : 'il ne se lit pas comme un CSV';
    throw requeteInvalide(`Le fichier CSV est mal formé${ligne ? ` (ligne ${ligne})` : ''} : ${raison}`);
  }
  const [entete, ...lignes] = enregistrements;
  return {
    encodage,
    separateur,
    colonnes: entete?.record ?? [],
    lignes: lignes.map(({ record, info }) => ({ numero: info.lines, valeurs: record })),
  };
}

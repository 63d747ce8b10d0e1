/**
 * A table read from a file (CSV or spreadsheet), before any meaning is given to it: the header's
 * column names and the data rows, each with its line number as a person counts it in a spreadsheet
 * (the header is line 1).
 */
export interface Tableau {
  colonnes: string[];
  lignes: { numero: number; valeurs: string[] }[];
}

/** `" Insee_Com "` → `insee_com`: how a header cell is compared to an expected column name. */
export const normaliserColonne = (nom: string) =>
  nom
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();

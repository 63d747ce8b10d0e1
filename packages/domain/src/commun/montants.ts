import * as z from 'zod';

/**
 * Money. The API speaks euros as JSON numbers with at most 2 decimals; every computation is done in
 * integer cents (0.1 + 0.2 is 30 cents, not 0.30000000000000004 €).
 */

/** Amounts above this are typing mistakes (100 bn€), and their cents stay far below 2^53. */
export const MONTANT_MAX = 100_000_000_000;

/** Whether a number is written with at most 2 decimals (exact: no tolerance hides a float artefact). */
export const auPlusDeuxDecimales = (euros: number) =>
  Number.isFinite(euros) && Number(euros.toFixed(2)) === euros;

/** An amount in euros, ≥ 0, at most 2 decimals. */
export const montant = z
  .number({ error: 'Montant attendu (nombre en euros)' })
  .min(0, 'Le montant ne peut pas être négatif')
  .max(MONTANT_MAX, 'Montant hors limites')
  .refine(auPlusDeuxDecimales, 'Le montant a au plus 2 décimales (centimes)')
  .meta({ description: 'Euros, au plus 2 décimales', examples: [125000.5] });

/** Euros (at most 2 decimals) → integer cents. */
export const enCentimes = (euros: number): number => Math.round(euros * 100);

/** Integer cents → euros (the nearest double, which prints with at most 2 decimals). */
export const enEuros = (centimes: number): number => centimes / 100;

/** Sum of amounts in euros, computed in cents. */
export const sommeCentimes = (montants: readonly number[]): number =>
  montants.reduce((total, m) => total + enCentimes(m), 0);

/** `1234567` cents → `12345,67` (French decimal comma, no thousands separator: spreadsheets read it). */
export function centimesFr(centimes: number): string {
  const signe = centimes < 0 ? '-' : '';
  const abs = Math.abs(centimes);
  return `${signe}${Math.trunc(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

/** `1234567` cents → `12 345,67 €`, for messages. */
export function centimesEnTexte(centimes: number): string {
  const [entier = '0', decimales = '00'] = centimesFr(centimes).split(',');
  return `${entier.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f')},${decimales} €`;
}

/**
 * An amount in euros as files write it → integer cents, without going through a float:
 * `1 234 567,89`, `1234567.89`, `1.234.567,89`, `1,234,567.89`, with normal, non-breaking or narrow
 * non-breaking spaces, with or without `€`/`EUR`. Undefined when it is not an amount with at most
 * 2 decimals; `1.234` and `1,234` too, which could be a thousand or one euro and a fraction.
 * Negative amounts come back negative: whether they are allowed is the caller's rule.
 */
export function centimesDepuisTexte(texte: string): number | undefined {
  const s = texte.replace(/[\s\u00a0\u202f\u2007\u2009']/g, '').replace(/^€|(€|eur|euros?)$/gi, '');
  const m = /^(-?)(\d[\d.,]*)$/.exec(s);
  if (!m) return undefined;
  const chiffres = m[2] as string;
  const point = chiffres.lastIndexOf('.');
  const virgule = chiffres.lastIndexOf(',');
  let entier = chiffres;
  let decimales = '';
  let milliers: string | undefined;
  if (point >= 0 && virgule >= 0) {
    const decimal = Math.max(point, virgule);
    milliers = decimal === point ? ',' : '.';
    entier = chiffres.slice(0, decimal);
    decimales = chiffres.slice(decimal + 1);
    if (decimales.includes(milliers)) return undefined;
  } else if (point >= 0 || virgule >= 0) {
    const separateur = point >= 0 ? '.' : ',';
    const position = Math.max(point, virgule);
    if (chiffres.indexOf(separateur) !== position) milliers = separateur;
    else {
      const apres = chiffres.length - position - 1;
      if (apres === 3 || apres === 0) return undefined;
      entier = chiffres.slice(0, position);
      decimales = chiffres.slice(position + 1);
    }
  }
  if (milliers !== undefined) {
    const groupes = entier.split(milliers);
    if (!/^\d{1,3}$/.test(groupes[0] as string) || groupes.slice(1).some((g) => !/^\d{3}$/.test(g))) {
      return undefined;
    }
    entier = groupes.join('');
  }
  if (!/^\d+$/.test(entier) || !/^\d{0,2}$/.test(decimales)) return undefined;
  const centimes = Number(entier) * 100 + Number(decimales.padEnd(2, '0'));
  if (centimes > MONTANT_MAX * 100) return undefined;
  return m[1] === '-' ? -centimes : centimes;
}

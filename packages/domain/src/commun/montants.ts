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

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

/** Characters an amount may be written with that are neither digits nor separators: spaces of all widths. */
const BLANCS = new Set([0x20, 0x09, 0xa0, 0x202f, 0x2007, 0x2009, 0x27]);

/**
 * An amount in euros as files write it → integer cents, without going through a float:
 * `1 234 567,89`, `1234567.89`, `1.234.567,89`, `1,234,567.89`, with normal, non-breaking or narrow
 * non-breaking spaces, with or without `€`/`EUR`. Undefined when it is not an amount with at most
 * 2 decimals; `1.234` and `1,234` too, which could be a thousand or one euro and a fraction.
 * Negative amounts come back negative: whether they are allowed is the caller's rule.
 * (One pass over the characters: the ingestion reads three amounts per row, 100,000 rows a second.)
 */
export function centimesDepuisTexte(texte: string): number | undefined {
  let debut = 0;
  let fin = texte.length;
  while (debut < fin && BLANCS.has(texte.charCodeAt(debut))) debut++;
  if (texte.charCodeAt(debut) === 0x20ac) debut++;
  const derniere = texte.charCodeAt(fin - 1);
  if (!(derniere >= 0x30 && derniere <= 0x39)) {
    const suffixe = /\s*(€|eur|euros?)\s*$/i.exec(texte);
    if (suffixe && suffixe.index >= debut) fin = suffixe.index;
  }
  let negatif = false;
  while (debut < fin && BLANCS.has(texte.charCodeAt(debut))) debut++;
  if (texte.charCodeAt(debut) === 0x2d) {
    negatif = true;
    debut++;
  }
  // Digits read, and where each separator falls among them.
  let valeur = 0;
  let chiffres = 0;
  const separateurs: { car: number; apres: number }[] = [];
  for (let i = debut; i < fin; i++) {
    const c = texte.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      valeur = valeur * 10 + (c - 0x30);
      chiffres++;
    } else if (c === 0x2c || c === 0x2e) {
      if (chiffres === 0) return undefined;
      separateurs.push({ car: c, apres: chiffres });
    } else if (!BLANCS.has(c)) return undefined;
  }
  if (chiffres === 0 || chiffres > 15) return undefined;
  let decimales = 0;
  let milliers: number[] = [];
  const dernier = separateurs[separateurs.length - 1];
  if (dernier) {
    const autres = separateurs.filter((x) => x.car !== dernier.car);
    const memes = separateurs.length - autres.length;
    if (autres.length > 0) {
      // Both kinds: the last one is the decimal separator, the others group thousands.
      if (memes > 1 || autres.some((x) => x.apres > dernier.apres)) return undefined;
      decimales = chiffres - dernier.apres;
      milliers = autres.map((x) => x.apres);
    } else if (memes > 1) milliers = separateurs.map((x) => x.apres);
    else {
      decimales = chiffres - dernier.apres;
      if (decimales === 0 || decimales === 3) return undefined;
    }
    if (decimales > 2) return undefined;
    const entiers = chiffres - decimales;
    for (let k = 0; k < milliers.length; k++) {
      const avant = k === 0 ? 0 : (milliers[k - 1] as number);
      const groupe = (milliers[k] as number) - avant;
      if (k === 0 ? groupe < 1 || groupe > 3 : groupe !== 3) return undefined;
    }
    if (milliers.length > 0 && entiers - (milliers[milliers.length - 1] as number) !== 3) return undefined;
  }
  const centimes = decimales === 2 ? valeur : decimales === 1 ? valeur * 10 : valeur * 100;
  if (centimes > MONTANT_MAX * 100) return undefined;
  return negatif ? -centimes : centimes;
}

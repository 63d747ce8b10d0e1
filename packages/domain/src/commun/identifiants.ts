/** Luhn checksum over a string of digits. */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** La Poste's establishments share the SIREN 356000000 and are checked by digit sum modulo 5. */
const SIREN_LA_POSTE = '356000000';

/** Whether a 14-digit SIRET is valid (Luhn, with La Poste's documented exception). */
export function siretValide(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  if (siret.startsWith(SIREN_LA_POSTE)) {
    const sum = [...siret].reduce((total, c) => total + Number(c), 0);
    return sum % 5 === 0;
  }
  return luhn(siret);
}

/** Whether a 9-digit SIREN is valid (Luhn). */
export function sirenValide(siren: string): boolean {
  return /^\d{9}$/.test(siren) && luhn(siren);
}

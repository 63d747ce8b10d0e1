/**
 * A regular expression matching exactly the decimal integers greater than `n` (no sign, no leading
 * zero), for AWS WAF, which compares headers as text: e.g. a `Content-Length` above a limit. For each
 * position, the integers that share `n`'s first digits and have a greater digit there, plus every
 * integer with more digits than `n`.
 */
export function regexEntierSuperieurA(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`entier attendu, reçu ${n}`);
  const chiffres = String(n);
  const d = chiffres.length;
  const branches: string[] = [];
  for (let i = 0; i < d; i++) {
    const c = Number(chiffres[i]);
    if (c === 9) continue;
    const suivant = c + 1 === 9 ? '9' : `[${c + 1}-9]`;
    const reste = d - i - 1;
    branches.push(`${chiffres.slice(0, i)}${suivant}${reste > 0 ? `\\d{${reste}}` : ''}`);
  }
  branches.push(`[1-9]\\d{${d},}`);
  return `^(${branches.join('|')})$`;
}

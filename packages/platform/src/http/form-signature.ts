import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from './problem';

/** Form sources may sign with a timestamp at most this far from now, either way. */
export const FENETRE_REJEU_SECONDES = 300;

/** Secrets of a form source; several while a secret is being rotated. */
export type SecretsDeSource = (source: string) => Promise<string[]>;

function signature(secret: string, t: string, body: string): Buffer {
  return createHmac('sha256', secret).update(`${t}.${body}`).digest();
}

/**
 * Verifies `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` for the
 * source named by `X-Source`. Returns the source id; throws 401 otherwise.
 */
export async function verifierSignature(
  headers: Record<string, string | undefined>,
  body: string,
  secretsDe: SecretsDeSource,
  maintenantSecondes: number,
): Promise<string> {
  const source = headers['x-source'];
  const entete = headers['x-signature'];
  if (!source || !entete) throw new HttpError(401, 'Les en-têtes X-Source et X-Signature sont requis');
  const champs = entete.split(',').map((p) => p.trim().split('='));
  const t = champs.find(([k]) => k === 't')?.[1];
  const v1 = champs
    .filter(([k, v]) => k === 'v1' && v !== undefined && /^[0-9a-f]{64}$/i.test(v))
    .map(([, v]) => v as string);
  if (!t || !/^\d{1,12}$/.test(t) || v1.length === 0) {
    throw new HttpError(401, 'En-tête X-Signature mal formé : attendu t=<secondes>,v1=<hmac hexadécimal>');
  }
  if (Math.abs(maintenantSecondes - Number(t)) > FENETRE_REJEU_SECONDES) {
    throw new HttpError(
      401,
      `Signature expirée : l'horodatage doit être à moins de ${FENETRE_REJEU_SECONDES} s de l'heure actuelle`,
    );
  }
  const secrets = await secretsDe(source);
  const recues = v1.map((hex) => Buffer.from(hex, 'hex'));
  const valide = secrets.some((secret) => {
    const attendue = signature(secret, t, body);
    return recues.some((recue) => recue.length === attendue.length && timingSafeEqual(recue, attendue));
  });
  // Same answer for an unknown source and a wrong signature: nothing to learn by probing.
  if (!valide) throw new HttpError(401, 'Source inconnue ou signature invalide');
  return source;
}

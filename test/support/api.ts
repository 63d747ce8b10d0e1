import { readFileSync } from 'node:fs';
import { mintOperatorToken } from '@ti/local-cloud/operator-auth';
import { LOCAL_FORM_SOURCE, signBody } from '@ti/local-cloud/signature';
import { inject } from 'vitest';

/** A client of the local cloud's HTTP API, as an external form or an operator uses it. */
export const baseUrl = () => inject('baseUrl');

export const exemple = (nom = 'candidature-valide') =>
  JSON.parse(readFileSync(new URL(`../../events/${nom}.json`, import.meta.url), 'utf8'));

export interface Reponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

async function lire(res: Response): Promise<Reponse> {
  const texte = await res.text();
  let body: unknown = texte;
  try {
    body = texte ? JSON.parse(texte) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body };
}

export interface OptionsFormulaire {
  method?: string;
  headers?: Record<string, string>;
  source?: string;
  secret?: string;
  /** Signature timestamp (unix seconds). */
  t?: number;
}

/** Sends a body signed as the local form source does (or as told to). */
export async function envoyerSigne(
  path: string,
  body: unknown,
  options: OptionsFormulaire = {},
): Promise<Reponse> {
  const brut = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${baseUrl()}${path}`, {
    method: options.method ?? 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Source': options.source ?? LOCAL_FORM_SOURCE.id,
      'X-Signature': signBody(brut, options.secret ?? LOCAL_FORM_SOURCE.secret, options.t),
      ...options.headers,
    },
    body: brut,
  });
  return lire(res);
}

export async function jeton(role: 'national' | 'regional', region?: string): Promise<string> {
  return mintOperatorToken({ role, region }, inject('operatorJwtSecret'));
}

/** A request as an operator (national unless a token is given). */
export async function operateur(
  path: string,
  options: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Reponse> {
  const token = options.token ?? (await jeton('national'));
  const res = await fetch(`${baseUrl()}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      Authorization: `Bearer ${token}`,
      ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return lire(res);
}

const jour = 24 * 3600 * 1000;
const iso = (t: number) => new Date(t).toISOString().replace('Z', '+00:00');

/** Creates a campaign whose window is open now (or closed, or not yet open), through the API. */
export async function creerCampagne(id: string, fenetre: 'ouverte' | 'close' | 'a_venir' = 'ouverte') {
  const maintenant = Date.now();
  const debut = {
    ouverte: maintenant - jour,
    close: maintenant - 40 * jour,
    a_venir: maintenant + 10 * jour,
  }[fenetre];
  const res = await operateur(`/campagnes/${id}`, {
    method: 'PUT',
    body: {
      ouverture: iso(debut),
      cloture: iso(debut + 20 * jour),
      avisRegional: iso(debut + 45 * jour),
      selectionNationale: iso(debut + 60 * jour),
      annonce: iso(debut + 75 * jour),
      finProgramme: '2027-12-31T23:59:59+01:00',
    },
  });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`campagne ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

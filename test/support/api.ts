/**
 * The client of the integration project's shared local cloud (started by its global setup), as an
 * external form or an operator uses it: `client.ts` bound to that cloud.
 */
import { inject } from 'vitest';
import { clientApi, type OptionsFormulaire, type OptionsOperateur, type Reponse } from './client';

export { exemple, lire, type OptionsFormulaire, type Reponse } from './client';

export const baseUrl = () => inject('baseUrl');

const client = () => clientApi({ baseUrl: baseUrl(), jwtSecret: inject('operatorJwtSecret') });

/** Sends a body signed as the local form source does (or as told to). */
export const envoyerSigne = (
  path: string,
  body: unknown,
  options: OptionsFormulaire = {},
): Promise<Reponse> => client().envoyerSigne(path, body, options);

export const jeton = (role: 'national' | 'regional', region?: string): Promise<string> =>
  client().jeton(role, region);

/** A request as an operator (national unless a token is given). */
export const operateur = (path: string, options: OptionsOperateur = {}): Promise<Reponse> =>
  client().operateur(path, options);

/** Creates a campaign whose window is open now (or closed, or not yet open), through the API. */
export const creerCampagne = (id: string, fenetre: 'ouverte' | 'close' | 'a_venir' = 'ouverte') =>
  client().creerCampagne(id, fenetre);

/** ANCT's list of each generation, imported through the API: the raw responses, in order. */
export const importerTerritoires = (...generations: string[]): Promise<Response[]> =>
  client().importerTerritoires(...generations);

/** Polls the import report until the import has ended (404 until the upload's event is handled). */
export async function rapportFinal(importId: string, delaiMs = 60_000): Promise<Reponse> {
  const limite = Date.now() + delaiMs;
  for (;;) {
    const res = await operateur(`/laureats/imports/${importId}`);
    if (res.status === 200 && res.body.statut !== 'en_cours') return res;
    if (res.status !== 200 && res.status !== 404)
      throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    if (Date.now() > limite) throw new Error(`import ${importId} still ${res.body?.statut ?? res.status}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

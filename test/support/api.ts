/**
 * The client of the integration project's shared local cloud (started by its global setup), as an
 * external form or an operator uses it: `client.ts` bound to that cloud.
 */
import { inject } from 'vitest';
import { clientApi, type OptionsFormulaire, type OptionsOperateur, type Reponse } from './client';

export { exemple, type OptionsFormulaire, type Reponse } from './client';

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

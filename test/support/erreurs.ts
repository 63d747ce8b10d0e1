import { ErreurDomaine } from '@ti/domain/commun/erreurs';

/** The domain error a call (or a promise) ends with; any other outcome fails the test. */
export async function erreur(promesse: Promise<unknown> | (() => unknown)): Promise<ErreurDomaine> {
  try {
    await (typeof promesse === 'function' ? promesse() : promesse);
  } catch (e) {
    if (e instanceof ErreurDomaine) return e;
    throw e;
  }
  throw new Error('aucune erreur levée');
}

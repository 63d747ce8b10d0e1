import { conflit, regleMetier, versionPerimee } from '@ti/domain/commun/erreurs';
import { HttpError } from '@ti/platform/http/problem';
import { erreurEnReponse } from '@ti/platform/http/route';
import { describe, expect, it } from 'vitest';

const corps = (r: { body: string }) => JSON.parse(r.body);

describe('erreurs en problem+json', () => {
  it('donne à chaque erreur du domaine son statut, avec les chemins des champs', () => {
    const r = erreurEnReponse(regleMetier('Règles', [{ path: 'perimetre.epcis[0]', message: 'inconnu' }]));
    expect(r.statusCode).toBe(422);
    expect(r.headers?.['Content-Type']).toBe('application/problem+json');
    expect(corps(r)).toMatchObject({
      status: 422,
      title: 'Règle métier non respectée',
      errors: [{ path: 'perimetre.epcis[0]' }],
    });
    expect(erreurEnReponse(conflit('clos')).statusCode).toBe(409);
    expect(erreurEnReponse(versionPerimee('v')).statusCode).toBe(412);
    expect(erreurEnReponse(new HttpError(415, 'json')).statusCode).toBe(415);
  });

  it('refuse une clé d’idempotence réutilisée pour un autre corps (409)', () => {
    const e = Object.assign(new Error('x'), { name: 'IdempotencyValidationError' });
    expect(erreurEnReponse(e).statusCode).toBe(409);
  });

  it('répond 503 avec Retry-After quand la base est injoignable, 500 sinon, sans rien divulguer', () => {
    const reseau = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
    const r = erreurEnReponse(reseau);
    expect(r.statusCode).toBe(503);
    expect(r.headers?.['Retry-After']).toBe('5');
    const bug = erreurEnReponse(new TypeError('secret interne'));
    expect(bug.statusCode).toBe(500);
    expect(bug.body).not.toContain('secret interne');
  });

  it('une transaction annulée par une écriture concurrente (TransactionConflict) : 409 réessayable, pas 500', () => {
    const conflitConcurrent = Object.assign(new Error('Transaction cancelled'), {
      name: 'TransactionCanceledException',
      $metadata: { httpStatusCode: 400 },
      CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
    });
    const r = erreurEnReponse(conflitConcurrent);
    expect(r.statusCode).toBe(409);
    expect(r.headers?.['Retry-After']).toBe('1');
    expect(corps(r).detail).toContain('réessayez');
    // Any other cancellation is not a conflict to retry (a bug, or a condition a store did not handle).
    const autre = Object.assign(new Error('Transaction cancelled'), {
      name: 'TransactionCanceledException',
      $metadata: { httpStatusCode: 400 },
      CancellationReasons: [{ Code: 'ValidationError' }],
    });
    expect(erreurEnReponse(autre).statusCode).toBe(500);
  });
});

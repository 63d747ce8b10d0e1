/**
 * Retries (issue 7, "Proof"): the same request fired 100 times at once, as a client that retries without
 * waiting does. Same `Idempotency-Key` and body: one candidature, whatever the interleaving. Same
 * `If-Match`: one amendment. The 100 requests are truly concurrent (one `Promise.all` of fetches, each
 * its own connection), and what is stored is counted in DynamoDB Local, not only through the API.
 */
import { randomUUID } from 'node:crypto';
import { dynamoDbClient } from '@ti/local-cloud/dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientApi, exemple, idsEnBase, type Reponse } from '../support/client';

const N = 100;
const api = clientApi({ baseUrl: inject('baseUrl'), jwtSecret: inject('operatorJwtSecret') });
const ddb = dynamoDbClient(inject('dynamodbEndpoint'));
const campagne = (nom: string) => `integ-concurrence-${nom}`;
const candidature = (camp: string, nomTerritoire: string) => ({
  ...exemple(),
  campagne: camp,
  nomTerritoire,
});
const enMemeTemps = (fn: (i: number) => Promise<Reponse>) =>
  Promise.all(Array.from({ length: N }, (_, i) => fn(i)));

const parStatut = (reponses: Reponse[]) => {
  const compte: Record<string, number> = {};
  for (const r of reponses) {
    const cle = `${r.status}${r.headers.get('idempotent-replayed') === 'true' ? ' rejouée' : ''}`;
    compte[cle] = (compte[cle] ?? 0) + 1;
  }
  return compte;
};

/** A refusal as the contract wants it: problem+json with its status and a French title. */
function attendreProbleme(r: Reponse, status: number) {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  expect(r.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}

beforeAll(async () => {
  for (const nom of ['cle', 'cle-corps', 'if-match', 'if-match-cle'])
    await api.creerCampagne(campagne(nom), 'ouverte');
});
afterAll(() => ddb.destroy());

describe('POST /candidatures, 100 fois en même temps', () => {
  it('même Idempotency-Key, même corps : une seule candidature ; les autres rejouent sa réponse ou répondent 409 (réessayable)', async () => {
    const camp = campagne('cle');
    const corps = candidature(camp, 'Concurrence — même clé');
    const cle = { 'Idempotency-Key': randomUUID() };
    const reponses = await enMemeTemps(() => api.envoyerSigne('/candidatures', corps, { headers: cle }));

    const creees = reponses.filter((r) => r.status === 201 && !r.headers.get('idempotent-replayed'));
    const rejouees = reponses.filter((r) => r.headers.get('idempotent-replayed') === 'true');
    const enCours = reponses.filter((r) => r.status === 409);
    expect(creees, JSON.stringify(parStatut(reponses))).toHaveLength(1);
    expect(creees.length + rejouees.length + enCours.length, JSON.stringify(parStatut(reponses))).toBe(N);
    const id = creees[0]?.body.id as string;
    for (const r of rejouees) {
      expect(r.status).toBe(201);
      expect(r.body.id).toBe(id);
    }
    for (const r of enCours) {
      attendreProbleme(r, 409);
      expect(r.headers.get('retry-after')).toBe('1');
    }

    // What is stored: one candidature (its current item in the campaign's index), readable by id.
    expect(await idsEnBase(ddb, camp)).toEqual([id]);
    const lue = await api.operateur(`/candidatures/${id}`);
    expect(lue.body.historique).toHaveLength(1);

    // A 409 was worth retrying: once the first request is done, the retry gets its response.
    const retry = await api.envoyerSigne('/candidatures', corps, { headers: cle });
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(id);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await idsEnBase(ddb, camp)).toEqual([id]);
  });

  it('même Idempotency-Key, 100 corps différents : une seule candidature, les 99 autres refusées (409)', async () => {
    const camp = campagne('cle-corps');
    const cle = { 'Idempotency-Key': randomUUID() };
    const reponses = await enMemeTemps((i) =>
      api.envoyerSigne('/candidatures', candidature(camp, `Concurrence — corps ${i}`), { headers: cle }),
    );
    expect(parStatut(reponses)).toEqual({ '201': 1, '409': N - 1 });
    for (const r of reponses.filter((r) => r.status === 409)) attendreProbleme(r, 409);
    const creee = reponses.find((r) => r.status === 201) as Reponse;
    expect(await idsEnBase(ddb, camp)).toEqual([creee.body.id]);
  });
});

describe('PUT /candidatures/{id}, 100 fois en même temps', () => {
  it('même If-Match, 100 modifications différentes : une seule passe (200), les autres 412 ; une seule nouvelle version', async () => {
    const camp = campagne('if-match');
    const depot = await api.envoyerSigne('/candidatures', candidature(camp, 'Concurrence — If-Match'));
    expect(depot.status).toBe(201);
    const id = depot.body.id as string;

    const reponses = await enMemeTemps((i) =>
      api.envoyerSigne(`/candidatures/${id}`, candidature(camp, `Concurrence — modification ${i}`), {
        method: 'PUT',
        headers: { 'If-Match': '"1"' },
      }),
    );
    const passees = reponses.filter((r) => r.status === 200);
    expect(passees, JSON.stringify(parStatut(reponses))).toHaveLength(1);
    for (const r of reponses.filter((r) => r.status !== 200)) {
      expect([409, 412]).toContain(r.status);
      attendreProbleme(r, r.status);
    }
    const gagnante = passees[0] as Reponse;
    expect(gagnante.body.version).toBe(2);

    const lue = await api.operateur(`/candidatures/${id}`);
    expect(lue.body.version).toBe(2);
    expect(lue.body.nomTerritoire).toBe(gagnante.body.nomTerritoire);
    expect(
      lue.body.historique.map((m: { version: number; action: string }) => [m.version, m.action]),
    ).toEqual([
      [1, 'depot'],
      [2, 'modification'],
    ]);
    expect(await idsEnBase(ddb, camp)).toEqual([id]);
  });

  it('même If-Match, même corps, même Idempotency-Key : une seule nouvelle version, les autres rejouent ou 409', async () => {
    const camp = campagne('if-match-cle');
    const depot = await api.envoyerSigne('/candidatures', candidature(camp, 'Concurrence — If-Match et clé'));
    const id = depot.body.id as string;
    const corps = candidature(camp, 'Concurrence — modifiée une fois');
    const entetes = { 'If-Match': '"1"', 'Idempotency-Key': randomUUID() };

    const reponses = await enMemeTemps(() =>
      api.envoyerSigne(`/candidatures/${id}`, corps, { method: 'PUT', headers: entetes }),
    );
    const fraiches = reponses.filter((r) => r.status === 200 && !r.headers.get('idempotent-replayed'));
    expect(fraiches, JSON.stringify(parStatut(reponses))).toHaveLength(1);
    for (const r of reponses) {
      if (r.headers.get('idempotent-replayed') === 'true') expect(r.body.version).toBe(2);
      else if (r.status !== 200) attendreProbleme(r, 409);
    }
    const lue = await api.operateur(`/candidatures/${id}`);
    expect(lue.body.historique.map((m: { version: number }) => m.version)).toEqual([1, 2]);
  });
});

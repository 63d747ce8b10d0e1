/**
 * Load (issue 7, "Proof"), the correctness half: distinct candidatures posted at 50 requests in flight,
 * then every 201 read back by id and the campaign's candidatures counted in DynamoDB Local: zero lost,
 * zero duplicated. No timing is asserted here: `npm run bench:load` runs 5,000 and prints the figures.
 */
import { dynamoDbClient } from '@ti/local-cloud/dynamodb';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { chargerCandidatures } from '../support/charge';
import { clientApi } from '../support/client';

const NOMBRE = 500;
const CONNEXIONS = 50;
const CAMPAGNE = 'integ-charge';
const api = clientApi({ baseUrl: inject('baseUrl'), jwtSecret: inject('operatorJwtSecret') });
const ddb = dynamoDbClient(inject('dynamodbEndpoint'));

beforeAll(() => api.creerCampagne(CAMPAGNE, 'ouverte'));
afterAll(() => ddb.destroy());

it(`${NOMBRE} candidatures distinctes à ${CONNEXIONS} requêtes simultanées : toutes acceptées, relues, ni perdues ni en double`, async () => {
  const r = await chargerCandidatures(api, ddb, {
    campagne: CAMPAGNE,
    nombre: NOMBRE,
    connexions: CONNEXIONS,
  });
  expect(r.statuts).toEqual({ '201': NOMBRE });
  expect(new Set(r.acceptes).size).toBe(NOMBRE);
  expect(r.relus).toBe(NOMBRE);
  expect(r.perdus).toEqual([]);
  expect(r.doublons).toBe(0);
  expect(r.enBase).toBe(NOMBRE);
});

/**
 * The form sources' secrets in AWS (issue 7, "form-source secrets rotatable without a deploy"): read from
 * Secrets Manager through Powertools' `getSecret`, which caches for `maxAge`. Only that AWS boundary is
 * mocked: the loader, the parsing and the HMAC check are the real ones.
 */
import { createHmac } from 'node:crypto';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { env } from '@ti/platform/config';
import { verifierSignature } from '@ti/platform/http/form-signature';
import type { HttpError } from '@ti/platform/http/problem';
import { secretsDesSources } from '@ti/platform/http/sources';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('@aws-lambda-powertools/parameters/secrets', () => ({ getSecret: vi.fn() }));
const getSecretMock = vi.mocked(getSecret);

const ARN = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:ti-form-sources-AbCdEf';
const ANCIEN = 'ancien-secret-du-formulaire-0001';
const NOUVEAU = 'nouveau-secret-du-formulaire-002';
const AUTRE = 'secret-d-une-autre-source-00003';
const maintenant = 1_700_000_000;
const corps = '{"campagne":"2026","nomTerritoire":"Vimeu"}';

const signer = (secret: string, body = corps, t = maintenant) =>
  `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;

/** What Secrets Manager holds (the value `getSecret` returns), from one call to the next. */
function stocke(...valeurs: unknown[]) {
  for (const valeur of valeurs) {
    getSecretMock.mockResolvedValueOnce(
      (typeof valeur === 'string' ? valeur : JSON.stringify(valeur)) as never,
    );
  }
}

/** The source the signature verifies as, or the HTTP status of the refusal. */
async function verifier(secret: string, source = 'formulaire'): Promise<string | number> {
  try {
    return await verifierSignature(
      { 'x-source': source, 'x-signature': signer(secret) },
      corps,
      secretsDesSources(),
      maintenant,
    );
  } catch (e) {
    const status = (e as HttpError).status;
    if (status === undefined) throw e;
    return status;
  }
}

beforeEach(() => {
  getSecretMock.mockReset();
  vi.stubEnv(env.formSourcesSecret, ARN);
  vi.stubEnv(env.localFormSources, undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('secrets des sources de formulaires (Secrets Manager)', () => {
  it('lit le secret nommé par la configuration, avec un cache de 300 s au plus : une rotation prend effet en 5 minutes, sans déploiement', async () => {
    stocke({ formulaire: NOUVEAU }, { formulaire: NOUVEAU });
    const secretsDe = secretsDesSources();
    await expect(secretsDe('formulaire')).resolves.toEqual([NOUVEAU]);
    await expect(secretsDe('formulaire')).resolves.toEqual([NOUVEAU]);
    // Every request asks Powertools, whose cache holds the value 300 s at most: no cache of our own.
    expect(getSecretMock).toHaveBeenCalledTimes(2);
    for (const appel of getSecretMock.mock.calls) expect(appel).toEqual([ARN, { maxAge: 300 }]);
  });

  it('pendant une rotation, les deux secrets d’une source sont acceptés (un corps signé avec l’ancien, avec le nouveau)', async () => {
    const rotation = { formulaire: [NOUVEAU, ANCIEN], autre: AUTRE };
    stocke(rotation, rotation, rotation, rotation, rotation);
    expect(await verifier(ANCIEN)).toBe('formulaire');
    expect(await verifier(NOUVEAU)).toBe('formulaire');
    // Each source has its own secrets: one source's secret does not sign for another, nor for an unknown one.
    expect(await verifier(AUTRE)).toBe(401);
    expect(await verifier(AUTRE, 'autre')).toBe('autre');
    expect(await verifier(NOUVEAU, 'formulaire-inconnu')).toBe(401);
  });

  it('une rotation suit la valeur du secret : avant, pendant, après (l’ancien secret n’est plus accepté)', async () => {
    stocke(
      { formulaire: ANCIEN },
      { formulaire: ANCIEN },
      { formulaire: [NOUVEAU, ANCIEN] },
      { formulaire: [NOUVEAU, ANCIEN] },
      { formulaire: NOUVEAU },
      { formulaire: NOUVEAU },
    );
    expect([await verifier(ANCIEN), await verifier(NOUVEAU)]).toEqual(['formulaire', 401]);
    expect([await verifier(ANCIEN), await verifier(NOUVEAU)]).toEqual(['formulaire', 'formulaire']);
    expect([await verifier(ANCIEN), await verifier(NOUVEAU)]).toEqual([401, 'formulaire']);
  });

  it.each([
    ['du texte qui n’est pas du JSON', 'pas-du-json-mais-un-secret-de-32', /not JSON/],
    ['une liste', JSON.stringify([ANCIEN]), /\(root\)/],
    ['une chaîne JSON', JSON.stringify(ANCIEN), /\(root\)/],
    ['un secret trop court', JSON.stringify({ formulaire: 'court' }), /formulaire/],
    ['une liste vide', JSON.stringify({ formulaire: [] }), /formulaire/],
    ['un nombre', JSON.stringify({ formulaire: 1234567890123456 }), /formulaire/],
    ['un secret binaire', new Uint8Array([1, 2, 3]), /not a text secret/],
    ['aucune valeur', undefined, /not a text secret/],
  ])('un secret mal formé (%s) est une erreur claire, jamais une acceptation', async (_, valeur, raison) => {
    getSecretMock.mockResolvedValue(valeur as never);
    const erreur = await secretsDesSources()('formulaire').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(erreur).toBeInstanceOf(Error);
    const message = (erreur as Error).message;
    expect(message).toMatch(/^Malformed form sources secret \(arn:aws:secretsmanager:[^)]+\): /);
    expect(message).toMatch(raison);
    expect(message).toContain('expected {"<source>"');
    // The value is never quoted (the error is logged).
    if (typeof valeur === 'string') expect(message).not.toContain(valeur);
    expect(message).not.toContain('court"');
    // And the request is not accepted, whatever it is signed with.
    for (const secret of [ANCIEN, 'court', 'pas-du-json-mais-un-secret-de-32']) {
      await expect(verifier(secret)).rejects.toThrow(/^Malformed form sources secret/);
    }
  });

  it('sans configuration, le chargement échoue au démarrage', () => {
    vi.stubEnv(env.formSourcesSecret, undefined);
    expect(() => secretsDesSources()).toThrow(`Missing configuration: ${env.formSourcesSecret}`);
    expect(getSecretMock).not.toHaveBeenCalled();
  });
});

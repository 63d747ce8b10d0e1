import { createHmac } from 'node:crypto';
import { verifierSignature } from '@ti/platform/http/form-signature';
import type { HttpError } from '@ti/platform/http/problem';
import { describe, expect, it } from 'vitest';

const secret = 'secret-de-test-assez-long';
const maintenant = 1_700_000_000;
const signer = (body: string, t: number, s = secret) =>
  `t=${t},v1=${createHmac('sha256', s).update(`${t}.${body}`).digest('hex')}`;
const secretsDe = async (source: string) => (source === 'formulaire' ? [secret] : []);
const verifier = (headers: Record<string, string>, body = '{"a":1}') =>
  verifierSignature(headers, body, secretsDe, maintenant);

async function statut(promesse: Promise<unknown>): Promise<number | 'ok'> {
  try {
    await promesse;
    return 'ok';
  } catch (e) {
    return (e as HttpError).status;
  }
}

describe('signature HMAC des formulaires', () => {
  it('accepte une signature juste et rend la source', async () => {
    await expect(
      verifier({ 'x-source': 'formulaire', 'x-signature': signer('{"a":1}', maintenant) }),
    ).resolves.toBe('formulaire');
  });
  it('accepte l’horodatage jusqu’à 300 s d’écart, pas au-delà', async () => {
    expect(
      await statut(
        verifier({ 'x-source': 'formulaire', 'x-signature': signer('{"a":1}', maintenant - 300) }),
      ),
    ).toBe('ok');
    expect(
      await statut(
        verifier({ 'x-source': 'formulaire', 'x-signature': signer('{"a":1}', maintenant + 301) }),
      ),
    ).toBe(401);
  });
  it('refuse un corps modifié, un autre secret, une source inconnue, un en-tête mal formé', async () => {
    const juste = signer('{"a":1}', maintenant);
    expect(await statut(verifier({ 'x-source': 'formulaire', 'x-signature': juste }, '{"a":2}'))).toBe(401);
    expect(
      await statut(
        verifier({ 'x-source': 'formulaire', 'x-signature': signer('{"a":1}', maintenant, 'autre') }),
      ),
    ).toBe(401);
    expect(await statut(verifier({ 'x-source': 'pirate', 'x-signature': juste }))).toBe(401);
    expect(await statut(verifier({ 'x-source': 'formulaire', 'x-signature': 'v1=abc' }))).toBe(401);
    expect(await statut(verifier({ 'x-source': 'formulaire' }))).toBe(401);
  });
  it('accepte l’un des secrets pendant une rotation', async () => {
    const rotation = async () => ['nouveau-secret-assez-long', secret];
    await expect(
      verifierSignature(
        { 'x-source': 'f', 'x-signature': signer('x', maintenant) },
        'x',
        rotation,
        maintenant,
      ),
    ).resolves.toBe('f');
  });
});

/**
 * A creation retried after its answer and its idempotency record were lost (the database died in
 * between): the id derived from the form's Idempotency-Key makes the store's "id not taken" condition
 * refuse a second candidature.
 */
import { CandidatureSaisie } from '@ti/domain/candidatures/schema';
import { deposerCandidature } from '@ti/domain/candidatures/service';
import type { ErreurDomaine } from '@ti/domain/commun/erreurs';
import { idDeCreation } from '@ti/platform/http/id-de-cle';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { campagnesEnMemoire, candidaturesEnMemoire, horloge } from '../support/calendrier-memoire';
import { c2023 } from '../support/campagnes';
import { exemple } from '../support/exemples';

/** As the route's schema outputs it. */
const saisie = CandidatureSaisie.parse({
  ...exemple(),
  campagne: 'c2023',
});

function monde() {
  return {
    candidatures: candidaturesEnMemoire(),
    campagnes: campagnesEnMemoire(c2023()),
    horloge: horloge('2023-07-01T10:00:00Z'),
  };
}

describe('idDeCreation', () => {
  it('la même source et la même clé donnent le même UUID (version 8) ; une autre source ou clé, un autre', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        (s, k, k2) => {
          expect(idDeCreation(s, k)).toMatch(uuid);
          expect(idDeCreation(s, k)).toBe(idDeCreation(s, k));
          if (k2 !== k) expect(idDeCreation(s, k2)).not.toBe(idDeCreation(s, k));
          expect(idDeCreation(`${s}x`, k)).not.toBe(idDeCreation(s, k));
        },
      ),
    );
    // Without a key, a fresh random id each time.
    expect(idDeCreation('formulaire', undefined)).not.toBe(idDeCreation('formulaire', undefined));
  });
});

describe('dépôt rejoué sous la même clé', () => {
  const id = idDeCreation('formulaire-a', 'cle-1');

  it('même dépôt : la candidature déjà stockée, sans seconde version', async () => {
    const m = monde();
    const deps = { ...m, nouvelId: () => id };
    const premiere = await deposerCandidature(deps, saisie, 'formulaire-a');
    m.horloge.avancer(60_000);
    const rejouee = await deposerCandidature(deps, structuredClone(saisie), 'formulaire-a');
    expect(rejouee).toEqual(premiere);
    expect([...m.candidatures.parId.keys()]).toEqual([id]);
    expect(m.candidatures.versions).toHaveLength(1);
  });

  it('un autre dépôt sous la même clé : 409, rien d’écrit', async () => {
    const m = monde();
    const deps = { ...m, nouvelId: () => id };
    await deposerCandidature(deps, saisie, 'formulaire-a');
    const autre = await deposerCandidature(
      deps,
      { ...saisie, nomTerritoire: 'Un autre territoire' },
      'formulaire-a',
    ).catch((e) => e as ErreurDomaine);
    expect(autre).toMatchObject({ kind: 'conflit' });
    expect(m.candidatures.parId.get(id)?.nomTerritoire).toBe(saisie.nomTerritoire);
    expect(m.candidatures.versions).toHaveLength(1);
  });
});

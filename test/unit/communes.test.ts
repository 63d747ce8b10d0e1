import { commune, retrouverCommune } from '@ti/domain/geographie/communes';
import { describe, expect, it } from 'vitest';

describe('communes de la géographie officielle', () => {
  it('décrit une commune avec son département, sa région et son EPCI', () => {
    expect(commune('80001')).toEqual({
      code: '80001',
      nom: 'Abbeville',
      departement: '80',
      region: '32',
      population: expect.any(Number),
      epci: '200070993',
    });
    expect(commune('2A004')?.region).toBe('94');
    expect(commune('29083')?.epci).toBeUndefined();
    expect(commune('99999')).toBeUndefined();
    expect(commune('constructor')).toBeUndefined();
  });

  it('retrouve le code écrit par un tableur, une commune fusionnée, un arrondissement', () => {
    expect(retrouverCommune('01283')).toEqual({ commune: expect.objectContaining({ nom: 'Oyonnax' }) });
    expect(retrouverCommune(' 1283 ')).toEqual({
      commune: expect.objectContaining({ code: '01283' }),
      correction: 'zero_initial',
    });
    expect(retrouverCommune('01119')).toEqual({
      commune: expect.objectContaining({ code: '01080', nom: 'Champdor-Corcelles' }),
      correction: 'ancien_code',
    });
    expect(retrouverCommune('75108')).toEqual({
      commune: expect.objectContaining({ code: '75056' }),
      correction: 'arrondissement',
    });
    expect(retrouverCommune('2a004')?.commune.nom).toBe('Ajaccio');
    for (const inconnu of ['80999', '123', 'abcde', '', '800011'])
      expect(retrouverCommune(inconnu)).toBeUndefined();
  });
});

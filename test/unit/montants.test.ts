import {
  centimesEnTexte,
  centimesFr,
  enCentimes,
  enEuros,
  montant,
  sommeCentimes,
} from '@ti/domain/commun/montants';
import { describe, expect, it } from 'vitest';

describe('montants en euros, calculés en centimes', () => {
  it('accepte au plus 2 décimales et refuse le reste, y compris un artefact de virgule flottante', () => {
    for (const ok of [0, 0.1, 0.3, 12.5, 1250000.5, 387500.05, 99999999.99])
      expect(montant.safeParse(ok).success).toBe(true);
    for (const ko of [0.001, 12.345, 0.1 + 0.2, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(montant.safeParse(ko).success, String(ko)).toBe(false);
    }
    expect(montant.safeParse(12.345).error?.issues[0]?.message).toBe(
      'Le montant a au plus 2 décimales (centimes)',
    );
  });

  it('additionne en centimes : 0,10 + 0,20 = 0,30 exactement', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sommeCentimes([0.1, 0.2])).toBe(30);
    expect(enEuros(sommeCentimes([0.1, 0.2]))).toBe(0.3);
    expect(enCentimes(1234567.89)).toBe(123456789);
    const ecarts: number[] = [];
    for (let c = 0; c < 2_000_000; c += 7) if (enCentimes(enEuros(c)) !== c) ecarts.push(c);
    expect(ecarts).toEqual([]);
    for (const c of [99_999_999_999_99, 12_345_678_901_23]) expect(enCentimes(enEuros(c))).toBe(c);
    expect(enEuros(enCentimes(1250000.5) - sommeCentimes([312500.15, 250000.1, 300000.2]))).toBe(387500.05);
  });

  it('écrit les centimes à la française', () => {
    expect(centimesFr(38750005)).toBe('387500,05');
    expect(centimesFr(5)).toBe('0,05');
    expect(centimesFr(-150)).toBe('-1,50');
    expect(centimesEnTexte(125000050)).toBe('1\u202f250\u202f000,50 €');
  });
});

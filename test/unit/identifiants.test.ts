import { sirenValide, siretValide } from '@ti/domain/commun/identifiants';
import { describe, expect, it } from 'vitest';

describe('SIRET', () => {
  it('accepte un SIRET dont la clé de Luhn est juste', () => {
    expect(siretValide('80214531200012')).toBe(true);
    expect(siretValide('73282932000074')).toBe(true);
  });
  it('refuse une clé fausse, une longueur fausse, des lettres', () => {
    expect(siretValide('80214531200013')).toBe(false);
    expect(siretValide('8021453120001')).toBe(false);
    expect(siretValide('8021453120001A')).toBe(false);
  });
  it('applique l’exception de La Poste (somme des chiffres multiple de 5)', () => {
    // Luhn would refuse both; La Poste's rule accepts the first (sum 15) and refuses the second (16).
    expect(siretValide('35600000000001')).toBe(true);
    expect(siretValide('35600000000002')).toBe(false);
  });
});

describe('SIREN', () => {
  it('vérifie la clé de Luhn', () => {
    expect(sirenValide('200070944')).toBe(true);
    expect(sirenValide('200070945')).toBe(false);
  });
});

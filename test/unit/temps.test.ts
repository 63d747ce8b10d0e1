import { dateParis, debutJourParis, finJourParis, isoParis } from '@ti/domain/commun/temps';
import { describe, expect, it } from 'vitest';

describe('heure de Paris', () => {
  it('donne la date de Paris d’un instant', () => {
    expect(dateParis(new Date('2023-09-22T22:30:00Z'))).toBe('2023-09-23'); // 00:30 à Paris (été)
    expect(dateParis(new Date('2023-12-31T22:30:00Z'))).toBe('2023-12-31'); // 23:30 à Paris (hiver)
  });
  it('situe minuit à Paris en été et en hiver', () => {
    expect(debutJourParis('2023-09-23').toISOString()).toBe('2023-09-22T22:00:00.000Z');
    expect(debutJourParis('2024-01-15').toISOString()).toBe('2024-01-14T23:00:00.000Z');
  });
  it('traverse les changements d’heure', () => {
    // 26 mars 2023 : passage à l'heure d'été ; 29 octobre 2023 : retour à l'heure d'hiver
    expect(finJourParis('2023-03-25').toISOString()).toBe('2023-03-25T23:00:00.000Z');
    expect(finJourParis('2023-03-26').toISOString()).toBe('2023-03-26T22:00:00.000Z');
    expect(finJourParis('2023-10-29').toISOString()).toBe('2023-10-29T23:00:00.000Z');
  });
  it('écrit un instant avec son décalage de Paris', () => {
    expect(isoParis(new Date('2023-06-22T22:00:00Z'))).toBe('2023-06-23T00:00:00+02:00');
    expect(isoParis(new Date('2023-11-30T23:00:00Z'))).toBe('2023-12-01T00:00:00+01:00');
  });
});

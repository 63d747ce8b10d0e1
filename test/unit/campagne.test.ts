import {
  exigerFenetreOuverte,
  fenetreOuverte,
  phaseALaDate,
  verifierCalendrier,
} from '@ti/domain/campagnes/campagne';
import { ErreurDomaine } from '@ti/domain/commun/erreurs';
import { describe, expect, it } from 'vitest';
import { c2023 } from '../support/campagnes';

/** The 2023 campaign, as the FAQ gives it. */
const campagne2023 = c2023({ id: '2023' });

describe('fenêtre de dépôt', () => {
  it('est fermée avant l’ouverture', () => {
    expect(fenetreOuverte(campagne2023, new Date('2023-06-22T21:59:59Z'))).toBe(false);
  });
  it('est ouverte dès l’ouverture', () => {
    expect(fenetreOuverte(campagne2023, new Date('2023-06-22T22:00:00Z'))).toBe(true);
  });
  it('inclut le jour de clôture jusqu’à minuit, heure de Paris', () => {
    expect(fenetreOuverte(campagne2023, new Date('2023-09-22T21:59:59Z'))).toBe(true); // 23:59:59 à Paris
    expect(fenetreOuverte(campagne2023, new Date('2023-09-22T22:00:00Z'))).toBe(false); // minuit
  });
  it('refuse un dépôt hors fenêtre avec un conflit qui donne les dates', () => {
    const erreur = (() => {
      try {
        exigerFenetreOuverte(campagne2023, new Date('2023-09-23T08:00:00Z'));
      } catch (e) {
        return e;
      }
    })();
    expect(erreur).toBeInstanceOf(ErreurDomaine);
    expect((erreur as ErreurDomaine).kind).toBe('conflit');
    expect((erreur as ErreurDomaine).message).toContain('du 23/06/2023 au 22/09/2023 inclus');
  });
});

describe('calendrier', () => {
  it('accepte des dates dans l’ordre', () => {
    expect(() => verifierCalendrier(campagne2023)).not.toThrow();
  });
  it('refuse une clôture avant l’ouverture, en nommant le champ', () => {
    try {
      verifierCalendrier({ ...campagne2023, cloture: '2023-06-01T00:00:00+02:00' });
      expect.unreachable();
    } catch (e) {
      expect((e as ErreurDomaine).kind).toBe('regle_metier');
      expect((e as ErreurDomaine).violations.map((v) => v.path)).toEqual(['cloture']);
    }
  });
  it('déduit la phase des dates', () => {
    expect(phaseALaDate(campagne2023, new Date('2023-06-01T00:00:00Z'))).toBe('a_venir');
    expect(phaseALaDate(campagne2023, new Date('2023-07-01T00:00:00Z'))).toBe('ouverte');
    expect(phaseALaDate(campagne2023, new Date('2023-10-01T00:00:00Z'))).toBe('instruction_regionale');
    expect(phaseALaDate(campagne2023, new Date('2023-10-20T00:00:00Z'))).toBe('selection_nationale');
    expect(phaseALaDate(campagne2023, new Date('2023-11-05T00:00:00Z'))).toBe('attente_annonce');
    expect(phaseALaDate(campagne2023, new Date('2023-12-01T00:00:00Z'))).toBe('terminee');
  });
});

import type { Campagne } from '@ti/domain/campagnes/campagne';

/** The 2023 campaign as the FAQ gives it (§1.3), at version 1. */
export const c2023 = (autres: Partial<Campagne> = {}): Campagne => ({
  id: 'c2023',
  ouverture: '2023-06-23T00:00:00+02:00',
  cloture: '2023-09-22T00:00:00+02:00',
  avisRegional: '2023-10-13T18:00:00+02:00',
  selectionNationale: '2023-10-31T12:00:00+01:00',
  annonce: '2023-11-15T10:00:00+01:00',
  finProgramme: '2027-12-31T23:59:59+01:00',
  version: 1,
  creeeLe: '2023-06-01T00:00:00Z',
  modifieeLe: '2023-06-01T00:00:00Z',
  ...autres,
});

import type { DonneesLaureat } from './ligne';

/**
 * The fields of a laureate, in the order its content hash (`empreinteDe`) reads them: that order is part
 * of the stored hashes, never change it. Apart from `ligne.ts` (which re-exports it), so that the
 * adapters reading stored laureates do not bundle the file reading and its geography.
 */
export const CHAMPS_LAUREAT = [
  'identifiantProjet',
  'dispositif',
  'dateDecision',
  'raisonSociale',
  'siret',
  'categorie',
  'codeNaf',
  'intitule',
  'codeCommune',
  'codeRegion',
  'territoires',
  'investissementCentimes',
  'aideEtatCentimes',
  'aideRegionCentimes',
  'emploisPrevus',
  'relocalisation',
  'formation',
  'transitionEcologique',
  'enjeuxTE',
  'territoireFragile',
] as const satisfies readonly (keyof DonneesLaureat)[];

/** Fails to compile when a field of `DonneesLaureat` is missing from `CHAMPS_LAUREAT`. */
type ChampOublie = Exclude<keyof DonneesLaureat, (typeof CHAMPS_LAUREAT)[number]>;
const _aucunChampOublie: [ChampOublie] extends [never] ? true : ChampOublie = true;

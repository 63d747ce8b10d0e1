import * as z from 'zod';
import { conflit, regleMetier, type Violation } from '../commun/erreurs';
import { instant } from '../commun/schemas';
import { dateFr, dateParis, finJourParis } from '../commun/temps';

/** `PUT /campagnes/{id}`: the selection calendar's dates, instants with their offset. */
export const CampagneDates = z
  .object({
    ouverture: instant.meta({ description: 'Ouverture du dépôt des candidatures' }),
    cloture: instant.meta({
      description: 'Clôture du dépôt : le jour de la clôture est inclus (heure de Paris)',
    }),
    avisRegional: instant.meta({ description: 'Date limite des avis régionaux' }),
    selectionNationale: instant.meta({ description: 'Comité national de sélection' }),
    annonce: instant.meta({ description: 'Annonce des territoires labellisés' }),
    finProgramme: instant.meta({
      description: 'Fin du programme : aucune action ne peut être prévue au-delà',
    }),
  })
  .meta({ id: 'CampagneDates' });
export type CampagneDates = z.infer<typeof CampagneDates>;

export const PHASES = [
  'a_venir',
  'ouverte',
  'instruction_regionale',
  'selection_nationale',
  'attente_annonce',
  'terminee',
] as const;
export type Phase = (typeof PHASES)[number];

export interface Campagne extends CampagneDates {
  id: string;
  version: number;
  creeeLe: string;
  modifieeLe: string;
}

const ORDRE: (keyof CampagneDates)[] = [
  'ouverture',
  'cloture',
  'avisRegional',
  'selectionNationale',
  'annonce',
  'finProgramme',
];

/** The dates must follow the calendar's order (FAQ §1.3). */
export function verifierCalendrier(dates: CampagneDates): void {
  const violations: Violation[] = [];
  for (let i = 1; i < ORDRE.length; i++) {
    const avant = ORDRE[i - 1] as keyof CampagneDates;
    const apres = ORDRE[i] as keyof CampagneDates;
    if (Date.parse(dates[apres]) <= Date.parse(dates[avant])) {
      violations.push({ path: apres, message: `Doit être postérieure à ${avant}` });
    }
  }
  if (violations.length > 0) throw regleMetier('Le calendrier de la campagne est incohérent', violations);
}

/** The window closes at the end of the Paris day of `cloture` (the close day is inclusive). */
export function finDepot(c: CampagneDates): Date {
  return finJourParis(dateParis(new Date(c.cloture)));
}

export function fenetreOuverte(c: CampagneDates, maintenant: Date): boolean {
  return maintenant.getTime() >= Date.parse(c.ouverture) && maintenant.getTime() < finDepot(c).getTime();
}

/** Refuses a submission or an amendment outside the window, with the dates in the message. */
export function exigerFenetreOuverte(c: Campagne, maintenant: Date): void {
  if (fenetreOuverte(c, maintenant)) return;
  const du = dateFr(dateParis(new Date(c.ouverture)));
  const au = dateFr(dateParis(new Date(c.cloture)));
  const quand = maintenant.getTime() < Date.parse(c.ouverture) ? "n'est pas encore ouvert" : 'est clos';
  throw conflit(
    `Le dépôt des candidatures de la campagne « ${c.id} » ${quand} : il est ouvert du ${du} au ${au} inclus (heure de Paris).`,
  );
}

/** The calendar phase at an instant, from the dates alone. */
export function phaseALaDate(c: CampagneDates, maintenant: Date): Phase {
  const t = maintenant.getTime();
  if (t < Date.parse(c.ouverture)) return 'a_venir';
  if (t < finDepot(c).getTime()) return 'ouverte';
  if (t < Date.parse(c.avisRegional)) return 'instruction_regionale';
  if (t < Date.parse(c.selectionNationale)) return 'selection_nationale';
  if (t < Date.parse(c.annonce)) return 'attente_annonce';
  return 'terminee';
}

/** Last day an action may be planned for (the programme's end, Paris date). */
export const dernierJourProgramme = (c: CampagneDates) => dateParis(new Date(c.finProgramme));

/** `GET /campagnes/{id}`: the campaign, its phase, and per region the review's progress. */
export const CampagneVue = CampagneDates.extend({
  id: z.string(),
  version: z.number().int(),
  creeeLe: z.string(),
  modifieeLe: z.string(),
  phase: z.enum(PHASES),
  regions: z.array(
    z.object({ code: z.string(), candidatures: z.number().int(), avisRecus: z.number().int() }),
  ),
}).meta({ id: 'Campagne' });

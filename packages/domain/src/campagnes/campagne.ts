import * as z from 'zod';
import {
  type Decision,
  type EtatCalendrier,
  EtatCalendrier as EtatCalendrierSchema,
} from '../calendrier/schema';
import { ErreurDomaine, regleMetier, type Violation } from '../commun/erreurs';
import { instant } from '../commun/schemas';
import { dateFr, dateParis, debutJourParis, finJourParis, isoParis } from '../commun/temps';

/** `PUT /campagnes/{id}`: the selection calendar's dates, instants with their offset. */
export const CampagneDates = z
  .object({
    ouverture: instant.meta({ description: 'Ouverture du dépôt des candidatures' }),
    cloture: instant.meta({
      description:
        'Clôture du dépôt. À minuit (heure de Paris), ce jour-là est inclus : 2023-09-22T00:00:00+02:00 ferme ' +
        'à la fin du 22 septembre ; à une autre heure, le dépôt ferme à cet instant',
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

/** Order of the phases: the calendar only moves forward. */
export const RANG_PHASE: Record<Phase, number> = Object.fromEntries(PHASES.map((p, i) => [p, i])) as Record<
  Phase,
  number
>;

export interface Campagne extends CampagneDates {
  id: string;
  /** Version of the dates: each `PUT` makes a new one, and starts the calendar of that version. */
  version: number;
  creeeLe: string;
  modifieeLe: string;
  /** The phase the calendar (state machine) reached; absent until it opens the campaign. */
  phase?: Phase;
  calendrier?: EtatCalendrier;
  /** The national committee's decision, kept until the announcement applies it. */
  decision?: Decision;
}

/** The dates, in the calendar's order (that of `CampagneDates`). */
export const CHAMPS_DATES = CampagneDates.keyof().options;

/** Only the dates, in the calendar's order, whatever else `source` carries. */
export const datesDe = (source: CampagneDates): CampagneDates =>
  Object.fromEntries(CHAMPS_DATES.map((champ) => [champ, source[champ]])) as CampagneDates;

/** The dates must follow the calendar's order (FAQ §1.3). */
export function verifierCalendrier(dates: CampagneDates): void {
  const violations: Violation[] = [];
  for (let i = 1; i < CHAMPS_DATES.length; i++) {
    const avant = CHAMPS_DATES[i - 1] as keyof CampagneDates;
    const apres = CHAMPS_DATES[i] as keyof CampagneDates;
    if (Date.parse(dates[apres]) <= Date.parse(dates[avant])) {
      violations.push({ path: apres, message: `Doit être postérieure à ${avant}` });
    }
  }
  if (violations.length === 0 && Date.parse(dates.avisRegional) <= finDepot(dates).getTime()) {
    violations.push({
      path: 'avisRegional',
      message: 'Doit être postérieure à la fin du dépôt (le jour de clôture est inclus)',
    });
  }
  if (violations.length > 0) throw regleMetier('Le calendrier de la campagne est incohérent', violations);
}

/** Whether `cloture` names a whole Paris day (midnight), as the FAQ does ("au 22 septembre inclus"). */
const clotureAuJour = (c: CampagneDates) =>
  debutJourParis(dateParis(new Date(c.cloture))).getTime() === Date.parse(c.cloture);

/**
 * When the window closes: at the end of the Paris day of `cloture` when it is given at midnight (the close
 * day is inclusive, FAQ §1.3), at `cloture` itself when it carries a time of day (e.g. 18:00, or a demo
 * campaign whose dates are seconds apart).
 */
export function finDepot(c: CampagneDates): Date {
  return clotureAuJour(c) ? finJourParis(dateParis(new Date(c.cloture))) : new Date(c.cloture);
}

export function fenetreOuverte(c: CampagneDates, maintenant: Date): boolean {
  return maintenant.getTime() >= Date.parse(c.ouverture) && maintenant.getTime() < finDepot(c).getTime();
}

/**
 * A submission or an amendment outside the window: a conflict (409) like any other for the client, a
 * type of its own so that the metrics count it apart (motif `fenetre_fermee`) from the other 409s.
 */
export class FenetreFermee extends ErreurDomaine {
  constructor(message: string) {
    super('conflit', message);
  }
}

/**
 * Refuses a submission or an amendment outside the window, with the dates in the message. Once the
 * calendar has closed the campaign, the window stays closed even if `cloture` is moved later.
 */
export function exigerFenetreOuverte(c: Campagne, maintenant: Date): void {
  const close = c.phase !== undefined && RANG_PHASE[c.phase] > RANG_PHASE.ouverte;
  if (!close && fenetreOuverte(c, maintenant)) return;
  const du = dateFr(dateParis(new Date(c.ouverture)));
  const au = clotureAuJour(c)
    ? `${dateFr(dateParis(new Date(c.cloture)))} inclus`
    : `${dateFr(dateParis(new Date(c.cloture)))} à ${isoParis(new Date(c.cloture)).slice(11, 16)}`;
  const quand =
    !close && maintenant.getTime() < Date.parse(c.ouverture) ? "n'est pas encore ouvert" : 'est clos';
  throw new FenetreFermee(
    `Le dépôt des candidatures de la campagne « ${c.id} » ${quand} : il est ouvert du ${du} au ${au} (heure de Paris).`,
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

/**
 * The phase to show: the one the calendar reached once it runs (it is the truth: a phase ends when its
 * step is done, e.g. the regional review when every opinion is in), otherwise the one the dates give.
 */
export function phaseCourante(c: Campagne, maintenant: Date): Phase {
  return c.phase ?? phaseALaDate(c, maintenant);
}

/** Last day an action may be planned for (the programme's end, Paris date). */
export const dernierJourProgramme = (c: CampagneDates) => dateParis(new Date(c.finProgramme));

/** `PUT /campagnes/{id}`: the campaign as recorded (the phase appears once its calendar opens it). */
export const CampagneEnregistree = CampagneDates.extend({
  id: z.string(),
  version: z.number().int(),
  creeeLe: z.string(),
  modifieeLe: z.string(),
  phase: z.enum(PHASES).optional(),
  calendrier: EtatCalendrierSchema.optional(),
}).meta({ id: 'CampagneEnregistree' });

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
  calendrier: EtatCalendrierSchema.optional(),
}).meta({ id: 'Campagne' });

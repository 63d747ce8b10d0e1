import { type CampagneDates, finDepot } from '../campagnes/campagne';

/**
 * A wait of the state machine lasts at most this long, then the step reads the campaign again. Two
 * reasons: a Node timer cannot exceed 24.8 days (the local runner would fire at once), and a waiting
 * step re-checks what it waits for at least daily (a resume lost to an eventually consistent read).
 */
export const PAS_MAX_SECONDES = 24 * 3600;

/** The reminder goes out this long before the regional deadline… */
export const RAPPEL_AVANT_ECHEANCE_MS = 7 * 24 * 3600 * 1000;

export type Echeance = 'ouverture' | 'cloture' | 'avisRegional' | 'annonce';

/** The instant a calendar step waits for (`cloture`: the end of the window, its day included). */
export function instantEcheance(c: CampagneDates, echeance: Echeance): Date {
  if (echeance === 'cloture') return finDepot(c);
  return new Date(c[echeance]);
}

/**
 * …or, when the review is shorter than that (a demo campaign), halfway between the close and the
 * deadline: there is always a reminder, and always after the close.
 */
export function instantRappel(c: CampagneDates): Date {
  const echeance = Date.parse(c.avisRegional);
  const fermeture = finDepot(c).getTime();
  const rappel = echeance - RAPPEL_AVANT_ECHEANCE_MS;
  return new Date(rappel > fermeture ? rappel : fermeture + Math.floor((echeance - fermeture) / 2));
}

export interface Attente {
  /** The instant is reached: the step may go on. */
  atteinte: boolean;
  /** Wake up then (RFC 3339, whole seconds, UTC): the instant, or sooner when it is far. */
  jusqua: string;
  /** Same, in seconds from now, at least 1 (a task's `TimeoutSecondsPath`). */
  secondes: number;
}

/** How long to wait for `cible`, cut to `PAS_MAX_SECONDES`. */
export function attenteVers(cible: Date, maintenant: Date): Attente {
  const t = maintenant.getTime();
  const reveil = Math.min(cible.getTime(), t + PAS_MAX_SECONDES * 1000);
  // Whole seconds, rounded up: waking before the instant would only loop once more.
  const jusqua = Math.ceil(reveil / 1000) * 1000;
  return {
    atteinte: cible.getTime() <= t,
    jusqua: new Date(jusqua).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    secondes: Math.max(1, Math.ceil((jusqua - t) / 1000)),
  };
}

/** Step Functions execution names: 80 characters of `[A-Za-z0-9_-]`, unique for 90 days. */
export function nomExecution(campagne: string, version: number, reprise?: Date): string {
  const suffixe = `-v${version}${
    reprise
      ? `-r${reprise
          .toISOString()
          .replace(/[-:TZ.]/g, '')
          .slice(0, 14)}`
      : ''
  }`;
  return `${campagne.slice(0, 80 - suffixe.length)}${suffixe}`;
}

import { dateParis, debutJourParis, isoParis } from '@ti/domain/commun/temps';
import type { Gateway } from './gateway';

export const DEMO_CAMPAIGN_ID = 'demo';

/** Midnight in Europe/Paris, `days` days from today (Paris calendar), as ISO 8601 with its offset. */
export function parisMidnight(days: number, now: Date = new Date()): string {
  const [y, m, d] = dateParis(now).split('-').map(Number) as [number, number, number];
  return isoParis(debutJourParis(new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10)));
}

export function demoCampaignBody(now: Date = new Date()) {
  return {
    ouverture: parisMidnight(-1, now),
    cloture: parisMidnight(30, now),
    avisRegional: parisMidnight(45, now),
    selectionNationale: parisMidnight(60, now),
    annonce: parisMidnight(75, now),
    finProgramme: '2027-12-31T23:59:59+01:00',
  };
}

export type DemoOutcome =
  | { outcome: 'created' | 'present' }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'failed'; reason: string };

/**
 * Creates the campaign `demo` through the API itself (GET then PUT /campagnes/demo with a national
 * token), so a fresh local cloud accepts candidatures at once. Skipped while the handlers don't exist.
 */
export async function seedDemoCampaign(gateway: Gateway, nationalToken: string): Promise<DemoOutcome> {
  const authorization = `Bearer ${nationalToken}`;
  const path = `/campagnes/${DEMO_CAMPAIGN_ID}`;
  const read = await gateway.dispatch({ method: 'GET', path, headers: { Authorization: authorization } });
  if (read.statusCode === 200) return { outcome: 'present' };
  if (read.statusCode === 501) return { outcome: 'skipped', reason: 'GET /campagnes/{id} not written yet' };
  if (read.statusCode !== 404) {
    return {
      outcome: 'failed',
      reason: `GET ${path} → ${read.statusCode} ${read.body.toString('utf8').slice(0, 300)}`,
    };
  }
  const written = await gateway.dispatch({
    method: 'PUT',
    path,
    headers: { Authorization: authorization, 'Content-Type': 'application/json' },
    body: JSON.stringify(demoCampaignBody()),
  });
  if (written.statusCode === 501)
    return { outcome: 'skipped', reason: 'PUT /campagnes/{id} not written yet' };
  if (written.statusCode >= 200 && written.statusCode < 300) return { outcome: 'created' };
  return {
    outcome: 'failed',
    reason: `PUT ${path} → ${written.statusCode} ${written.body.toString('utf8').slice(0, 300)}`,
  };
}

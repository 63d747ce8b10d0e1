/**
 * The example bodies of `events/` (what a form posts), parsed afresh at each call: no AWS SDK here, for
 * the unit tests (client.ts re-exports it).
 */
import { readFileSync } from 'node:fs';

export const exemple = (nom = 'candidature-valide') =>
  JSON.parse(readFileSync(new URL(`../../events/${nom}.json`, import.meta.url), 'utf8'));

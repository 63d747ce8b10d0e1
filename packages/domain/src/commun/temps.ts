/**
 * Calendar arithmetic in the programme's time zone. Campaign dates are instants; the FAQ counts
 * days in Paris ("du 23 juin au 22 septembre 2023 inclus").
 */
const ZONE = 'Europe/Paris';

const partsFormatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function partsParis(instant: Date) {
  const p = Object.fromEntries(partsFormatter.formatToParts(instant).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
  };
}

/** Paris calendar date of an instant, `YYYY-MM-DD`. */
export function dateParis(instant: Date): string {
  const p = partsParis(instant);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Offset of Paris from UTC at that instant, in milliseconds (+1 h in winter, +2 h in summer). */
function decalageParis(instant: Date): number {
  const p = partsParis(instant);
  const commeUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return commeUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant at which a Paris calendar day (`YYYY-MM-DD`) begins. */
export function debutJourParis(date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const minuitUtc = Date.UTC(y, m - 1, d);
  // The offset at local midnight may differ from the one at UTC midnight on DST days: settle it twice.
  let t = minuitUtc - decalageParis(new Date(minuitUtc));
  t = minuitUtc - decalageParis(new Date(t));
  return new Date(t);
}

/** The instant at which the Paris day after `date` begins: the end of `date`, inclusive. */
export function finJourParis(date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const lendemain = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  return debutJourParis(lendemain);
}

/** `2023-09-22` → `22/09/2023`, the way French users read dates. */
export function dateFr(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

/** An ISO 8601 instant with its Paris offset, e.g. `2023-06-23T00:00:00+02:00`. */
export function isoParis(instant: Date): string {
  const p = partsParis(instant);
  const offsetMin = Math.round(decalageParis(instant) / 60_000);
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

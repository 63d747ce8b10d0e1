/**
 * The domain's failures. Each carries a kind that the HTTP layer maps to a status (see
 * `@ti/platform/http/problem`), a French message a person can act on, and, for rule
 * violations, the path of each faulty field.
 */
export interface Violation {
  /** Field path in the request body, e.g. `perimetre.epcis[1]`; empty for the whole body. */
  path: string;
  message: string;
}

export type ErreurKind =
  | 'requete_invalide' // 400: malformed or schema-invalid request
  | 'interdit' // 403: authenticated, not allowed
  | 'introuvable' // 404
  | 'conflit' // 409: state conflict (closed window, duplicate)
  | 'version_perimee' // 412: If-Match mismatch
  | 'regle_metier'; // 422: a domain rule is broken

export class ErreurDomaine extends Error {
  constructor(
    readonly kind: ErreurKind,
    message: string,
    readonly violations: Violation[] = [],
  ) {
    super(message);
    this.name = 'ErreurDomaine';
  }
}

export const regleMetier = (message: string, violations: Violation[]) =>
  new ErreurDomaine('regle_metier', message, violations);
export const introuvable = (message: string) => new ErreurDomaine('introuvable', message);
export const conflit = (message: string) => new ErreurDomaine('conflit', message);
export const interdit = (message: string) => new ErreurDomaine('interdit', message);
export const versionPerimee = (message: string) => new ErreurDomaine('version_perimee', message);
export const requeteInvalide = (message: string, violations: Violation[] = []) =>
  new ErreurDomaine('requete_invalide', message, violations);

/** `['planAction', 3, 'titre']` → `planAction[3].titre` */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : i === 0 ? String(segment) : `.${String(segment)}`,
    )
    .join('');
}

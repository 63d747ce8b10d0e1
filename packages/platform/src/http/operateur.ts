import type { Operateur } from '@ti/domain/commun/acces';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpError } from './problem';

/**
 * The operator, from the claims the authorizer put in the request context (the Cognito authorizer in
 * AWS, whose custom attributes arrive as `custom:role`/`custom:region`; the local gateway locally).
 */
export function operateurDe(event: APIGatewayProxyEvent): Operateur {
  const claims = (event.requestContext.authorizer?.claims ?? {}) as Record<string, unknown>;
  const role = claims.role ?? claims['custom:role'];
  const region = claims.region ?? claims['custom:region'];
  const id = String(claims.sub ?? claims['cognito:username'] ?? '');
  if (role === 'national') return { id, role };
  if (role === 'regional' && typeof region === 'string' && /^\d{2}$/.test(region))
    return { id, role, region };
  throw new HttpError(403, 'Jeton opérateur sans rôle valide (national, ou regional avec sa région)');
}

import type { BucketKey } from './buckets';
import type { TableKey } from './tables';

/**
 * The public API, route by route: the CDK API stack builds API Gateway resources, methods and one
 * Lambda function per route from this list, and the local cloud routes HTTP requests to the same
 * handler modules. `handler` is the module path under `functions/` (without `.ts`); it exports `handler`.
 */
export type Access = 'read' | 'write' | 'readwrite';

/** `form`: HMAC-signed form source; `operator`: JWT with role/region (Cognito in AWS); `public`: none. */
export type Auth = 'public' | 'form' | 'operator';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path, with `{param}` placeholders. */
  path: string;
  handler: string;
  auth: Auth;
  tables?: Partial<Record<TableKey, Access>>;
  buckets?: Partial<Record<BucketKey, Access>>;
  /** Whether the handler reads the form sources' secrets. */
  formSecrets?: boolean;
}

export const routes: readonly Route[] = [
  { method: 'GET', path: '/health', handler: 'systeme/health', auth: 'public' },
  { method: 'GET', path: '/openapi.json', handler: 'systeme/openapi', auth: 'public' },
  {
    method: 'GET',
    path: '/campagnes/{id}',
    handler: 'campagnes/lire',
    auth: 'operator',
    tables: { campagnes: 'read', candidatures: 'read' },
  },
  {
    method: 'PUT',
    path: '/campagnes/{id}',
    handler: 'campagnes/enregistrer',
    auth: 'operator',
    tables: { campagnes: 'readwrite', idempotence: 'readwrite' },
  },
  {
    method: 'POST',
    path: '/candidatures',
    handler: 'candidatures/deposer',
    auth: 'form',
    formSecrets: true,
    tables: { candidatures: 'readwrite', campagnes: 'read', idempotence: 'readwrite' },
  },
  {
    method: 'GET',
    path: '/candidatures',
    handler: 'candidatures/lister',
    auth: 'operator',
    tables: { candidatures: 'read' },
  },
  {
    method: 'GET',
    path: '/candidatures/{id}',
    handler: 'candidatures/lire',
    auth: 'operator',
    tables: { candidatures: 'read' },
  },
  {
    method: 'PUT',
    path: '/candidatures/{id}',
    handler: 'candidatures/modifier',
    auth: 'form',
    formSecrets: true,
    tables: { candidatures: 'readwrite', campagnes: 'read', idempotence: 'readwrite' },
  },
  {
    method: 'POST',
    path: '/candidatures/{id}/pieces',
    handler: 'candidatures/pieces',
    auth: 'form',
    formSecrets: true,
    tables: { candidatures: 'read', idempotence: 'readwrite' },
    buckets: { pieces: 'write' },
  },
];

import * as z from 'zod';
import { type Route, routes } from './routes';

const Probleme = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Probleme', description: 'RFC 9457, messages en français' });

const LECTURE = [400, 401, 403, 404];
const ECRITURE = [...LECTURE, 409, 412, 413, 415, 422];
/** The error statuses a route may answer (the health and OpenAPI documents answer none). */
const erreursDe = (route: Route): number[] =>
  route.auth === 'public'
    ? route.path.includes('{') || route.query
      ? [400, 404]
      : []
    : route.method === 'GET'
      ? LECTURE
      : ECRITURE;

const ref = (schema: z.ZodType) => {
  const id = z.globalRegistry.get(schema)?.id;
  return id ? { $ref: `#/components/schemas/${id}` } : z.toJSONSchema(schema);
};

function parametres(route: Route) {
  const chemin = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (!route.query) return chemin;
  const json = z.toJSONSchema(route.query, { io: 'input' }) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  const requete = Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema,
  }));
  return [...chemin, ...requete];
}

function operation(route: Route) {
  const erreurs = Object.fromEntries(
    erreursDe(route)
      .filter((s) => route.body || route.contentType || ![413, 415].includes(s))
      .map((s) => [
        String(s),
        { description: 'Erreur', content: { 'application/problem+json': { schema: ref(Probleme) } } },
      ]),
  );
  const entetes = [
    ...(route.idempotent
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            schema: { type: 'string', maxLength: 255 },
          },
        ]
      : []),
    ...(route.auth === 'form'
      ? [{ name: 'X-Source', in: 'header', required: true, schema: { type: 'string' } }]
      : []),
    ...(route.method === 'PUT' && route.auth === 'form'
      ? [
          {
            name: 'If-Match',
            in: 'header',
            required: false,
            schema: { type: 'string' },
            description: 'Version lue, ex. "3"',
          },
        ]
      : []),
  ];
  return {
    operationId: route.handler.replace('/', '_'),
    summary: route.summary,
    tags: [route.handler.split('/')[0]],
    security:
      route.auth === 'public'
        ? []
        : route.auth === 'form'
          ? [{ signatureFormulaire: [] }]
          : [{ jetonOperateur: [] }],
    parameters: [...parametres(route), ...entetes],
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: ref(route.body) } } } }
      : {}),
    ...(route.contentType
      ? {
          requestBody: {
            required: true,
            content: { [route.contentType]: { schema: { type: 'string', format: 'binary' } } },
          },
        }
      : {}),
    responses: {
      [String(route.response.status)]: {
        description: 'Succès',
        ...(route.response.schema
          ? { content: { 'application/json': { schema: ref(route.response.schema) } } }
          : {}),
      },
      ...erreurs,
    },
  };
}

/** The OpenAPI 3.1 document, generated from the routes and the zod schemas that validate requests. */
export function documentOpenApi() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes as readonly Route[]) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route);
  }
  const { schemas } = z.toJSONSchema(z.globalRegistry, { uri: (id) => `#/components/schemas/${id}` });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Territoires d’industrie — API',
      version: '1.0.0',
      description:
        'Candidatures des territoires à la labellisation 2023-2027, fiches-action, lauréats du fonds d’accélération et agrégats régionaux.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        signatureFormulaire: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Signature',
          description:
            't=<secondes unix>,v1=<hex HMAC-SHA256(secret, "<t>.<corps brut>")>, avec X-Source: <source>',
        },
        jetonOperateur: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
  };
}

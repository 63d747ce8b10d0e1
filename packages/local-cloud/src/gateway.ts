import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Route, typesMediaBinaires } from '@ti/platform/routes';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { LOCAL_REGION } from './environment';
import { verifyAuthorizationHeader } from './operator-auth';
import { LOOPBACK } from './ports';
import { PROBLEM_CONTENT_TYPE, type Problem, problem } from './problem';

/** What a handler module exports as `handler` (a middy handler fits). */
export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<unknown>;

export type HandlerResolution =
  | { status: 'found'; handler: LambdaHandler }
  | { status: 'missing'; detail: string };

/** Finds a route's handler; throws when the module exists but fails to load (an init error → 502). */
export type HandlerResolver = (route: Route) => Promise<HandlerResolution>;

export interface GatewayOptions {
  routes: readonly Route[];
  resolveHandler: HandlerResolver;
  /** The local operator JWT secret (HS256). */
  jwtSecret: string;
  /** One line per request (access log); nothing when absent. */
  log?: (line: string) => void;
  /** A handler's error or malformed response. Default: console.error. */
  logError?: (message: string, error?: unknown) => void;
  /** API Gateway's payload limit. Default 10 MB. */
  maxBodyBytes?: number;
  /** API Gateway's integration timeout. Default 29 s. */
  timeoutMs?: number;
}

/** A request given to dispatch(): `path` may carry a query string. */
export interface GatewayRequest {
  method: string;
  path: string;
  /** Header names keep their case; repeat a name with an array. */
  headers?: Record<string, string | string[]>;
  body?: string | Uint8Array;
  sourceIp?: string;
}

export interface GatewayResponse {
  statusCode: number;
  /** In the order written, names as the handler spelled them. */
  headers: [string, string][];
  body: Buffer;
}

export interface Gateway {
  /** Runs one request through routing, authorization and the handler, in process. */
  dispatch(request: GatewayRequest): Promise<GatewayResponse>;
  /** Starts the HTTP server on the loopback interface (port 0: a free port). */
  listen(port: number, host?: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

export const MAX_BODY_BYTES = 10 * 1024 * 1024;
export const INTEGRATION_TIMEOUT_MS = 29_000;
/** A function's timeout when its route sets none (as `TiFunction` deploys it). */
export const DEFAULT_LAMBDA_TIMEOUT_S = 10;
const ACCOUNT_ID = '123456789012';

interface Incoming {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: [string, string][];
  /** undefined: no body; 'too-large': over the limit (not kept). */
  body: Buffer | undefined | 'too-large';
  sourceIp: string;
}

interface Match {
  route: Route;
  pathParameters: Record<string, string> | null;
}

type Outcome = GatewayResponse & { handler?: string };

/** Emulates API Gateway REST (v1) with Lambda proxy integrations in front of the handler modules. */
export function createGateway(options: GatewayOptions): Gateway {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const timeoutMs = options.timeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const logError = options.logError ?? ((message, error) => console.error(message, error ?? ''));
  const templates = options.routes.map((route) => ({ route, segments: splitPath(route.path) }));

  function match(rawPath: string): { matches: Match[]; resource?: string } | 'bad-encoding' {
    const segments = splitPath(rawPath);
    let best: { score: number[]; resource: string; params: Record<string, string> } | undefined;
    for (const { route, segments: template } of templates) {
      if (template.length !== segments.length) continue;
      const score: number[] = [];
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < template.length; i++) {
        const part = template[i] as string;
        const actual = segments[i] as string;
        const param = /^\{(.+)\}$/.exec(part);
        if (param?.[1]) {
          if (actual === '') {
            ok = false;
            break;
          }
          try {
            params[param[1]] = decodeURIComponent(actual);
          } catch {
            return 'bad-encoding';
          }
          score.push(0);
        } else if (part === actual) {
          score.push(1);
        } else {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      // API Gateway picks the most specific resource: a literal segment beats a {param}, leftmost first.
      if (!best || compareScores(score, best.score) > 0) best = { score, resource: route.path, params };
    }
    if (!best) return { matches: [] };
    const resource = best.resource;
    const params = best.params;
    return {
      resource,
      matches: options.routes
        .filter((route) => route.path === resource)
        .map((route) => ({ route, pathParameters: Object.keys(params).length > 0 ? params : null })),
    };
  }

  async function handle(incoming: Incoming): Promise<Outcome> {
    const found = match(incoming.rawPath);
    if (found === 'bad-encoding') {
      return problemResponse(
        problem(400, 'Requête invalide', "Le chemin contient un encodage d'URL invalide."),
      );
    }
    if (found.matches.length === 0) {
      return problemResponse(
        problem(404, 'Ressource introuvable', `Aucune route ne correspond à ${incoming.rawPath}.`),
      );
    }
    const selected = found.matches.find((m) => m.route.method === incoming.method);
    if (!selected) {
      const allowed = found.matches.map((m) => m.route.method).join(', ');
      const response = problemResponse(
        problem(
          405,
          'Méthode non autorisée',
          `${incoming.method} n'est pas accepté sur ${found.resource} (accepté : ${allowed}).`,
        ),
      );
      response.headers.push(['Allow', allowed]);
      return response;
    }
    const { route } = selected;
    if (incoming.body === 'too-large') {
      return problemResponse(
        problem(
          413,
          'Requête trop volumineuse',
          `Le corps de la requête dépasse ${Math.round(maxBodyBytes / 1024 / 1024)} Mo.`,
        ),
      );
    }

    let claims: Record<string, string> | undefined;
    if (route.auth === 'operator') {
      const verdict = await verifyAuthorizationHeader(
        headerValue(incoming.headers, 'authorization'),
        options.jwtSecret,
      );
      if (!verdict.ok) {
        const response = problemResponse(problem(401, 'Authentification requise', verdict.detail));
        response.headers.push(['WWW-Authenticate', 'Bearer']);
        return response;
      }
      claims = verdict.claims;
    }

    const requestId = randomUUID();
    const event = buildEvent(incoming, route, selected.pathParameters, requestId, claims);
    const withRequestId = (outcome: Outcome): Outcome => {
      outcome.headers.push(['x-amzn-RequestId', requestId]);
      outcome.handler = route.handler;
      return outcome;
    };

    let resolution: HandlerResolution;
    try {
      resolution = await options.resolveHandler(route);
    } catch (error) {
      logError(
        `[local-cloud] functions/${route.handler}.ts could not be loaded (${route.method} ${route.path})`,
        error,
      );
      return withRequestId(
        problemResponse(
          problem(502, 'Erreur du service', `Le module ${route.handler} n'a pas pu être chargé.`),
        ),
      );
    }
    if (resolution.status === 'missing') {
      return withRequestId(problemResponse(problem(501, 'Non implémenté', resolution.detail)));
    }

    // The context counts down the function's own timeout, as in Lambda (Powertools' idempotency bounds an
    // in-progress record by it); the gateway still waits up to its integration timeout.
    const deadline =
      Date.now() + Math.min(timeoutMs, (route.timeoutSeconds ?? DEFAULT_LAMBDA_TIMEOUT_S) * 1000);
    const context = lambdaContext(route, deadline);
    let timer: NodeJS.Timeout | undefined;
    let result: unknown;
    try {
      const timeout = Symbol('timeout');
      result = await Promise.race([
        Promise.resolve().then(() => resolution.handler(event, context)),
        new Promise((resolveTimeout) => {
          timer = setTimeout(() => resolveTimeout(timeout), timeoutMs);
        }),
      ]);
      if (result === timeout) {
        logError(
          `[local-cloud] ${route.handler} did not answer within ${timeoutMs / 1000} s (requestId ${requestId})`,
        );
        return withRequestId(
          problemResponse(
            problem(504, 'Délai dépassé', `Le service n'a pas répondu en ${timeoutMs / 1000} s.`),
          ),
        );
      }
    } catch (error) {
      logError(
        `[local-cloud] ${route.handler} threw (requestId ${requestId}, ${route.method} ${incoming.rawPath})`,
        error,
      );
      return withRequestId(
        problemResponse(problem(502, 'Erreur du service', 'Le service a rencontré une erreur interne.')),
      );
    } finally {
      clearTimeout(timer);
    }

    const response = toResponse(result);
    if (typeof response === 'string') {
      logError(
        `[local-cloud] ${route.handler} returned a malformed proxy response: ${response} (requestId ${requestId})`,
      );
      return withRequestId(
        problemResponse(problem(502, 'Erreur du service', 'Le service a renvoyé une réponse mal formée.')),
      );
    }
    return withRequestId(response);
  }

  async function dispatch(request: GatewayRequest): Promise<GatewayResponse> {
    const [rawPath = '/', rawQuery = ''] = splitUrl(request.path);
    const headers: [string, string][] = [];
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      for (const v of Array.isArray(value) ? value : [value]) headers.push([name, v]);
    }
    let body: Incoming['body'];
    if (request.body !== undefined) {
      const bytes =
        typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : Buffer.from(request.body);
      body = bytes.length > maxBodyBytes ? 'too-large' : bytes.length > 0 ? bytes : undefined;
    }
    const { handler: _, ...response } = await handle({
      method: request.method.toUpperCase(),
      rawPath,
      rawQuery,
      headers,
      body,
      sourceIp: request.sourceIp ?? LOOPBACK,
    });
    return response;
  }

  const server: Server = createServer((req, res) => {
    void serve(req, res);
  });
  server.keepAliveTimeout = 5_000;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const [rawPath = '/', rawQuery = ''] = splitUrl(req.url ?? '/');
    const headers: [string, string][] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      headers.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string]);
    }
    let outcome: Outcome;
    try {
      const body = await readBody(req, maxBodyBytes);
      outcome = await handle({
        method: (req.method ?? 'GET').toUpperCase(),
        rawPath,
        rawQuery,
        headers,
        body,
        sourceIp: normalizeIp(req.socket.remoteAddress),
      });
    } catch (error) {
      logError('[local-cloud] gateway failure', error);
      outcome = problemResponse(
        problem(500, 'Erreur interne', 'La passerelle locale a rencontré une erreur.'),
      );
    }
    const flat: string[] = [];
    for (const [name, value] of outcome.headers) flat.push(name, value);
    if (outcome.statusCode === 413) flat.push('Connection', 'close');
    try {
      res.writeHead(outcome.statusCode, flat);
      res.end(outcome.body);
    } catch (error) {
      logError('[local-cloud] could not write the response', error);
      res.destroy();
    }
    const ms = Math.round(performance.now() - started);
    options.log?.(
      `${req.method} ${req.url} → ${outcome.statusCode} ${ms} ms${outcome.handler ? ` [${outcome.handler}]` : ''}`,
    );
  }

  return {
    dispatch,
    listen(port, host = LOOPBACK) {
      return new Promise((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          resolveListen({ port: address.port, url: `http://${host}:${address.port}` });
        });
      });
    },
    close() {
      return new Promise((resolveClose) => {
        if (!server.listening) return resolveClose();
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
    },
  };
}

function splitPath(path: string): string[] {
  let p = path;
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p === '/' ? [] : p.slice(1).split('/');
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

function splitUrl(url: string): [string, string] {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  return [path.startsWith('/') ? path : `/${path}`, query];
}

function normalizeIp(ip: string | undefined): string {
  if (!ip) return LOOPBACK;
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

function headerValue(headers: [string, string][], name: string): string | undefined {
  let value: string | undefined;
  for (const [n, v] of headers) if (n.toLowerCase() === name) value = v;
  return value;
}

/** Reads the body up to the limit; past it, drains the rest without keeping it. */
function readBody(req: IncomingMessage, limit: number): Promise<Incoming['body']> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length']);
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(tooLarge ? 'too-large' : size > 0 ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

/**
 * Content types API Gateway passes as UTF-8 text; the others, and the API's binary media types
 * (`typesMediaBinaires`, e.g. `text/csv`, whose bytes may be Windows-1252), arrive base64-encoded.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (typesMediaBinaires.includes(type)) return false;
  if (type === '' || type.startsWith('text/')) return true;
  return (
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/x-www-form-urlencoded' ||
    type === 'application/javascript' ||
    type === 'application/csv'
  );
}

function buildEvent(
  incoming: Incoming,
  route: Route,
  pathParameters: Record<string, string> | null,
  requestId: string,
  claims: Record<string, string> | undefined,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const caseOf = new Map<string, string>();
  const add = (name: string, value: string) => {
    const lower = name.toLowerCase();
    const key = caseOf.get(lower) ?? name;
    caseOf.set(lower, key);
    headers[key] = value;
    multiValueHeaders[key] = [...(multiValueHeaders[key] ?? []), value];
  };
  for (const [name, value] of incoming.headers) add(name, value);
  // What API Gateway adds in front of the integration.
  if (!caseOf.has('x-forwarded-for')) add('X-Forwarded-For', incoming.sourceIp);
  if (!caseOf.has('x-forwarded-proto')) add('X-Forwarded-Proto', 'http');

  let queryStringParameters: Record<string, string> | null = null;
  let multiValueQueryStringParameters: Record<string, string[]> | null = null;
  if (incoming.rawQuery !== '') {
    queryStringParameters = {};
    multiValueQueryStringParameters = {};
    for (const [name, value] of new URLSearchParams(incoming.rawQuery)) {
      queryStringParameters[name] = value;
      multiValueQueryStringParameters[name] = [...(multiValueQueryStringParameters[name] ?? []), value];
    }
    if (Object.keys(queryStringParameters).length === 0) {
      queryStringParameters = null;
      multiValueQueryStringParameters = null;
    }
  }

  let body: string | null = null;
  let isBase64Encoded = false;
  if (incoming.body instanceof Buffer) {
    const contentType = headerValue(incoming.headers, 'content-type');
    if (isTextContentType(contentType)) {
      body = incoming.body.toString('utf8');
    } else {
      body = incoming.body.toString('base64');
      isBase64Encoded = true;
    }
  }

  const now = new Date();
  return {
    resource: route.path,
    path: incoming.rawPath,
    httpMethod: incoming.method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters,
    stageVariables: null,
    body,
    isBase64Encoded,
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: 'local',
      authorizer: claims ? { claims } : null,
      domainName: headerValue(incoming.headers, 'host') ?? LOOPBACK,
      domainPrefix: 'local',
      extendedRequestId: randomBytes(8).toString('base64url'),
      httpMethod: incoming.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: incoming.sourceIp,
        user: null,
        userAgent: headerValue(incoming.headers, 'user-agent') ?? null,
        userArn: null,
      },
      path: incoming.rawPath,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: apiGatewayTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: resourceId(route.path),
      resourcePath: route.path,
      stage: 'local',
    },
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's requestTime. */
function apiGatewayTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(
    date.getUTCMinutes(),
  )}:${pad(date.getUTCSeconds())} +0000`;
}

function resourceId(path: string): string {
  let hash = 0;
  for (const char of path) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash.toString(36).padStart(6, '0').slice(-6);
}

export function functionName(route: Route): string {
  return `ti-local-${route.handler.replaceAll('/', '-')}`;
}

function lambdaContext(route: Route, deadline: number): Context {
  const name = functionName(route);
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${ACCOUNT_ID}:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `${today}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** Validates a Lambda proxy result as API Gateway does; a string explains why it is malformed. */
function toResponse(result: unknown): Outcome | string {
  if (typeof result !== 'object' || result === null) return `expected an object, got ${typeof result}`;
  const r = result as Partial<APIGatewayProxyResult>;
  if (
    typeof r.statusCode !== 'number' ||
    !Number.isInteger(r.statusCode) ||
    r.statusCode < 100 ||
    r.statusCode > 599
  ) {
    return `statusCode must be an integer HTTP status, got ${JSON.stringify(r.statusCode)}`;
  }
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') {
    return `body must be a string, got ${typeof r.body}`;
  }
  const headers: [string, string][] = [];
  const seen = new Set<string>();
  // As API Gateway: multiValueHeaders win over headers for the same name.
  for (const [name, values] of Object.entries(r.multiValueHeaders ?? {})) {
    if (!Array.isArray(values)) return `multiValueHeaders.${name} must be an array`;
    seen.add(name.toLowerCase());
    for (const value of values) headers.push([name, String(value)]);
  }
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    if (seen.has(name.toLowerCase()) || value === undefined || value === null) continue;
    seen.add(name.toLowerCase());
    headers.push([name, String(value)]);
  }
  if (!seen.has('content-type')) headers.push(['Content-Type', 'application/json']);
  const raw = r.body ?? '';
  const body = r.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  return { statusCode: r.statusCode, headers, body };
}

function problemResponse(p: Problem): Outcome {
  return {
    statusCode: p.status,
    headers: [['Content-Type', PROBLEM_CONTENT_TYPE]],
    body: Buffer.from(JSON.stringify(p), 'utf8'),
  };
}

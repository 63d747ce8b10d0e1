/**
 * The local cloud itself: the API Gateway emulation in front of the handler modules, the operator
 * authorizer, and the emulators' tables and buckets as defined once in @ti/platform.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import {
  GetBucketCorsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { dynamoDbClient } from '@ti/local-cloud/dynamodb';
import { createGateway, type Gateway, type LambdaHandler, MAX_BODY_BYTES } from '@ti/local-cloud/gateway';
import { fileHandlerResolver } from '@ti/local-cloud/handlers';
import { mintOperatorToken } from '@ti/local-cloud/operator-auth';
import { functionsDir } from '@ti/local-cloud/paths';
import { s3Client } from '@ti/local-cloud/s3';
import { signBody } from '@ti/local-cloud/signature';
import { localBucketName } from '@ti/platform/buckets';
import type { Route } from '@ti/platform/routes';
import { localTableName, type TableDefinition, type TableKey, tables } from '@ti/platform/tables';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const baseUrl = inject('baseUrl');
const secret = inject('operatorJwtSecret');

/** A GET written byte by byte on a socket, so repeated headers reach the server as sent. */
function rawGet(base: string, path: string, headerLines: string[]) {
  const { hostname, port } = new URL(base);
  return new Promise<{ status: number; headers: Record<string, string> }>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.end(
        `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n${headerLines.join('\r\n')}\r\nConnection: close\r\n\r\n`,
      );
    });
    let raw = '';
    socket.on('data', (chunk) => {
      raw += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = ''] = raw.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const at = line.indexOf(':');
        headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers });
    });
  });
}

async function call(path: string, init?: RequestInit) {
  const res = await fetch(`${baseUrl}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

describe('the gateway in front of the real handlers', () => {
  it('routes GET /health to its handler (or answers 501 while the module is missing)', async () => {
    const res = await call('/health');
    if (existsSync(join(functionsDir, 'systeme/health.ts'))) {
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ status: 'ok' });
    } else {
      expect(res.status).toBe(501);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 404 problem+json for an unknown path', async () => {
    const res = await call('/nulle-part/ici');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.json).toMatchObject({ type: 'about:blank', title: 'Ressource introuvable', status: 404 });
  });

  it('answers 405 for a known path with another method', async () => {
    const res = await call('/health', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(res.json).toMatchObject({ status: 405, title: 'Méthode non autorisée' });
  });

  it('refuses an operator route without a token (401), with a French problem', async () => {
    const res = await call('/campagnes/demo');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.json).toMatchObject({ type: 'about:blank', title: 'Authentification requise', status: 401 });
    expect(res.json.detail).toEqual(expect.any(String));
  });

  it('refuses a tampered, expired, foreign or malformed token (401)', async () => {
    const token = await mintOperatorToken({ role: 'regional', region: '32' }, secret);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'national' })).toString('base64url');
    const tampered = `${header}.${elevated}.${signature}`;
    const expired = await mintOperatorToken({ role: 'national', expiresIn: -60 }, secret);
    const foreign = await mintOperatorToken({ role: 'national' }, 'un-autre-secret-que-celui-du-cloud-local');
    for (const authorization of [
      `Bearer ${tampered}`,
      `Bearer ${expired}`,
      `Bearer ${foreign}`,
      token,
      'Bearer pas-un-jwt',
    ]) {
      const res = await call('/campagnes/demo', { headers: { Authorization: authorization } });
      expect(res.status, authorization.slice(0, 30)).toBe(401);
      expect(res.json.title).toBe('Authentification requise');
    }
    expect(
      (await call('/campagnes/demo', { headers: { Authorization: `Bearer ${expired}` } })).json.detail,
    ).toContain('expiré');
  });

  it('lets a valid operator token through to the handler', async () => {
    const token = await mintOperatorToken({ role: 'national' }, secret);
    const res = await call('/campagnes/demo', { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).not.toBe(401);
    if (existsSync(join(functionsDir, 'campagnes/lire.ts'))) expect(res.status).toBe(200);
  });
});

describe('the emulators, from the single definitions of @ti/platform', () => {
  it('has every table of tables.ts in DynamoDB Local, with its keys, GSIs and TTL', async () => {
    const client = dynamoDbClient(inject('dynamodbEndpoint'));
    try {
      for (const [key, definition] of Object.entries(tables) as [TableKey, TableDefinition][]) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: localTableName(key) }));
        expect(Table?.TableStatus).toBe('ACTIVE');
        expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
        expect(Table?.KeySchema?.[0]).toEqual({
          AttributeName: definition.partitionKey.name,
          KeyType: 'HASH',
        });
        if (definition.sortKey) {
          expect(Table?.KeySchema?.[1]).toEqual({ AttributeName: definition.sortKey.name, KeyType: 'RANGE' });
        }
        const indexes = new Map(
          (Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]),
        );
        for (const wanted of definition.globalIndexes ?? []) {
          const index = indexes.get(wanted.name);
          expect(index, `${key}.${wanted.name}`).toBeDefined();
          expect(index?.KeySchema?.[0]?.AttributeName).toBe(wanted.partitionKey.name);
          expect(index?.KeySchema?.[1]?.AttributeName).toBe(wanted.sortKey?.name);
        }
        if (definition.timeToLiveAttribute) {
          const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: localTableName(key) }));
          expect(ttl.TimeToLiveDescription?.AttributeName).toBe(definition.timeToLiveAttribute);
        }
      }
      // The GSI the candidatures listing relies on.
      expect(tables.candidatures.globalIndexes[0].name).toBe('parCampagne');
    } finally {
      client.destroy();
    }
  });

  it('has the pieces bucket in s3rver, with CORS for browser PUTs', async () => {
    const client = s3Client(inject('s3Endpoint'));
    try {
      await client.send(new HeadBucketCommand({ Bucket: localBucketName('pieces') }));
      const cors = await client.send(new GetBucketCorsCommand({ Bucket: localBucketName('pieces') }));
      expect(cors.CORSRules?.[0]?.AllowedMethods).toContain('PUT');
    } finally {
      client.destroy();
    }
  });

  it('round-trips a small PDF through a presigned PUT (signature enforced) and GetObject, bytes intact; lists page by page', async () => {
    const client = s3Client(inject('s3Endpoint'));
    const bucket = localBucketName('pieces');
    const pdf = Buffer.concat([
      Buffer.from('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj <<>> endobj\n', 'latin1'),
      Buffer.from([0, 1, 2, 253, 254, 255]),
      Buffer.from('\n%%EOF\n'),
    ]);
    const key = `test-local-cloud/${Date.now()}/lettre.pdf`;
    try {
      const url = await getSignedUrl(
        client,
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          ContentType: 'application/pdf',
          ContentLength: pdf.length,
        }),
        { expiresIn: 300, signableHeaders: new Set(['content-type', 'content-length']) },
      );
      expect(url).toContain(`/${bucket}/`);
      // As S3 (s3rver alone would not check): the signed length and type are enforced, the URL can't be altered.
      const longer = await fetch(url, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/pdf' },
        body: Buffer.concat([pdf, Buffer.from('en trop')]),
      });
      expect(longer.status).toBe(403);
      expect(await longer.text()).toContain('SignatureDoesNotMatch');
      const otherType = await fetch(url, {
        method: 'PUT',
        headers: { 'Content-Type': 'text/plain' },
        body: pdf,
      });
      expect(otherType.status).toBe(403);
      const otherKey = await fetch(url.replace('lettre.pdf', 'autre.pdf'), {
        method: 'PUT',
        headers: { 'Content-Type': 'application/pdf' },
        body: pdf,
      });
      expect(otherKey.status).toBe(403);

      const put = await fetch(url, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/pdf' },
        body: pdf,
      });
      expect(put.status).toBe(200);

      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(got.ContentType).toBe('application/pdf');
      expect(
        Buffer.from(
          await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
        ),
      ).toEqual(pdf);

      // A streamed SDK upload too (the aws-chunked trap), and a paginated listing (the legacy-provider trap).
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${key}.copie`, Body: pdf }));
      const copy = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${key}.copie` }));
      expect(
        Buffer.from(
          await (copy.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
        ),
      ).toEqual(pdf);
      const first = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
      expect(first.IsTruncated).toBe(true);
      const second = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: key,
          MaxKeys: 1,
          ContinuationToken: first.NextContinuationToken,
        }),
      );
      expect(second.Contents?.[0]?.Key).toBe(`${key}.copie`);
    } finally {
      client.destroy();
    }
  });
});

describe('the gateway with injected handlers (API Gateway REST proxy semantics)', () => {
  const testRoutes: Route[] = [
    { method: 'GET', path: '/echo/{id}', handler: 'essai/echo', auth: 'public' },
    { method: 'POST', path: '/echo/{id}', handler: 'essai/echo', auth: 'form' },
    { method: 'GET', path: '/echo/special', handler: 'essai/special', auth: 'public' },
    { method: 'GET', path: '/prive/{id}', handler: 'essai/prive', auth: 'operator' },
    { method: 'GET', path: '/boum', handler: 'essai/boum', auth: 'public' },
    { method: 'GET', path: '/mal-forme', handler: 'essai/mal-forme', auth: 'public' },
    { method: 'GET', path: '/binaire', handler: 'essai/binaire', auth: 'public' },
    { method: 'GET', path: '/absent', handler: 'essai/absent', auth: 'public' },
  ] as Route[];
  const calls: { event: APIGatewayProxyEvent; context: Context & { remaining: number } }[] = [];
  const echo: LambdaHandler = async (event, context) => {
    calls.push({ event, context: { ...context, remaining: context.getRemainingTimeInMillis() } });
    return { statusCode: 200, body: JSON.stringify({ ok: true }) };
  };
  const handlers: Record<string, LambdaHandler> = {
    'essai/echo': echo,
    'essai/special': async () => ({ statusCode: 200, body: '"special"' }),
    'essai/prive': echo,
    'essai/boum': async () => {
      throw new Error('boum (erreur volontaire du test)');
    },
    'essai/mal-forme': async () => ({ status: 200 }),
    'essai/binaire': async () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'application/pdf', 'X-Un': '1' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'X-Un': ['un'] },
      body: Buffer.from([0, 255, 1, 254]).toString('base64'),
      isBase64Encoded: true,
    }),
  };
  const errors: string[] = [];
  const gateway: Gateway = createGateway({
    routes: testRoutes,
    jwtSecret: secret,
    resolveHandler: async (route) => {
      const handler = handlers[route.handler];
      return handler
        ? { status: 'found', handler }
        : { status: 'missing', detail: `${route.handler} absent` };
    },
    logError: (message) => errors.push(message),
  });
  let url: string;
  beforeAll(async () => {
    url = (await gateway.listen(0)).url;
  });
  afterAll(() => gateway.close());

  it('builds a complete proxy event: headers in their case, multi values, query, decoded path params', async () => {
    calls.length = 0;
    // Raw HTTP: fetch would merge the repeated header into one before sending it.
    const res = await rawGet(url, '/echo/a%20b%C3%A9?x=1&x=2&vide=&y=%C3%A9t%C3%A9', [
      'X-Mon-En-Tete: un',
      'x-mon-en-tete: deux',
      'User-Agent: essai/1.0',
    ]);
    expect(res.status).toBe(200);
    const { event, context } = calls[0] as (typeof calls)[number];
    expect(event.resource).toBe('/echo/{id}');
    expect(event.path).toBe('/echo/a%20b%C3%A9');
    expect(event.httpMethod).toBe('GET');
    expect(event.pathParameters).toEqual({ id: 'a bé' });
    expect(event.queryStringParameters).toEqual({ x: '2', vide: '', y: 'été' });
    expect(event.multiValueQueryStringParameters).toEqual({ x: ['1', '2'], vide: [''], y: ['été'] });
    expect(event.headers['X-Mon-En-Tete']).toBe('deux');
    expect(event.multiValueHeaders['X-Mon-En-Tete']).toEqual(['un', 'deux']);
    expect(event.headers['User-Agent']).toBe('essai/1.0');
    expect(event.stageVariables).toBeNull();
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext).toMatchObject({
      stage: 'local',
      resourcePath: '/echo/{id}',
      httpMethod: 'GET',
      path: '/echo/a%20b%C3%A9',
      identity: { sourceIp: '127.0.0.1', userAgent: 'essai/1.0' },
      authorizer: null,
    });
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-amzn-requestid']).toBe(event.requestContext.requestId);
    expect(Math.abs(event.requestContext.requestTimeEpoch - Date.now())).toBeLessThan(5_000);
    expect(context.functionName).toBe('ti-local-essai-echo');
    expect(context.invokedFunctionArn).toBe(
      'arn:aws:lambda:eu-west-3:123456789012:function:ti-local-essai-echo',
    );
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    // The function's timeout (10 s by default), not the gateway's 29 s: as Lambda counts it down.
    expect(context.remaining).toBeGreaterThan(9_000);
    expect(context.remaining).toBeLessThanOrEqual(10_000);
  });

  it('gives null query parameters when there are none, and prefers a literal segment to {id}', async () => {
    calls.length = 0;
    await fetch(`${url}/echo/abc`);
    expect(calls[0]?.event.queryStringParameters).toBeNull();
    expect(calls[0]?.event.multiValueQueryStringParameters).toBeNull();
    const special = await fetch(`${url}/echo/special`);
    expect(await special.json()).toBe('special');
  });

  it('passes a JSON body as UTF-8 text and a PDF body base64-encoded', async () => {
    calls.length = 0;
    const json = '{"nom":"Vallée de la Bresle – Vimeu"}';
    await fetch(`${url}/echo/x`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: json,
    });
    expect(calls[0]?.event.body).toBe(json);
    expect(calls[0]?.event.isBase64Encoded).toBe(false);
    const pdf = Buffer.from([37, 80, 68, 70, 0, 255]);
    await fetch(`${url}/echo/x`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/pdf' },
      body: pdf,
    });
    expect(calls[1]?.event.isBase64Encoded).toBe(true);
    expect(Buffer.from(calls[1]?.event.body ?? '', 'base64')).toEqual(pdf);
  });

  it('does not check form signatures (the handler does)', async () => {
    calls.length = 0;
    const body = '{}';
    const res = await fetch(`${url}/echo/x`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Source': 'formulaire-local',
        'X-Signature': signBody(body, 'faux'),
      },
      body,
    });
    expect(res.status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it('injects the verified claims of an operator route into requestContext.authorizer.claims', async () => {
    calls.length = 0;
    const token = await mintOperatorToken({ role: 'regional', region: '32', sub: 'agent-32' }, secret);
    const res = await fetch(`${url}/prive/1`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(calls[0]?.event.requestContext.authorizer?.claims).toMatchObject({
      sub: 'agent-32',
      role: 'regional',
      region: '32',
    });
    const refused = await fetch(`${url}/prive/1`);
    expect(refused.status).toBe(401);
    expect(calls).toHaveLength(1);
  });

  it('answers 413 for a body over 10 MB without calling the handler', async () => {
    calls.length = 0;
    const big = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
    const res = await fetch(`${url}/echo/x`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 413, title: 'Requête trop volumineuse' });
    const viaDispatch = await gateway.dispatch({ method: 'POST', path: '/echo/x', body: big });
    expect(viaDispatch.statusCode).toBe(413);
    expect(calls).toHaveLength(0);
    const atLimit = await gateway.dispatch({ method: 'POST', path: '/echo/x', body: big.subarray(1) });
    expect(atLimit.statusCode).toBe(200);
  });

  it('answers 502 problem+json when the handler throws or returns a malformed response, and logs it', async () => {
    errors.length = 0;
    const thrown = await fetch(`${url}/boum`);
    expect(thrown.status).toBe(502);
    expect(thrown.headers.get('content-type')).toBe('application/problem+json');
    expect(((await thrown.json()) as { status: number }).status).toBe(502);
    expect((await fetch(`${url}/mal-forme`)).status).toBe(502);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain('essai/boum');
  });

  it('writes back status, headers, multi-value headers and a base64 body decoded', async () => {
    const res = await fetch(`${url}/binaire`);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.get('x-un')).toBe('un');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([0, 255, 1, 254]));
  });

  it('answers 501 problem+json for a route whose module does not exist', async () => {
    const res = await fetch(`${url}/absent`);
    expect(res.status).toBe(501);
    expect(await res.json()).toMatchObject({ status: 501, title: 'Non implémenté' });
  });

  it('imports a handler module from a functions directory, and 501 for a missing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ti-functions-'));
    try {
      writeFileSync(
        join(dir, 'essai.ts'),
        `export const handler = async (event: { pathParameters: Record<string, string> | null }, context: { functionName: string }) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ id: event.pathParameters?.id, fn: context.functionName }),
});
`,
      );
      const fromFiles = createGateway({
        routes: [
          { method: 'GET', path: '/essai/{id}', handler: 'essai', auth: 'public' },
          { method: 'GET', path: '/manquant', handler: 'manquant/module', auth: 'public' },
        ] as Route[],
        jwtSecret: secret,
        resolveHandler: fileHandlerResolver(dir),
      });
      const ok = await fromFiles.dispatch({ method: 'GET', path: '/essai/42' });
      expect(ok.statusCode).toBe(200);
      expect(JSON.parse(ok.body.toString('utf8'))).toEqual({ id: '42', fn: 'ti-local-essai' });
      const missing = await fromFiles.dispatch({ method: 'GET', path: '/manquant' });
      expect(missing.statusCode).toBe(501);
      expect(missing.headers).toContainEqual(['Content-Type', 'application/problem+json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

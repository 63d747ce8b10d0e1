import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { contexteLambda, evenementApi } from '../support/lambda';

/** A route that takes a file (`contentType: 'text/csv'`) through the same middy chain as JSON routes. */
let handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
let recu: { body: Buffer; query: unknown; role: string } | undefined;

beforeAll(async () => {
  process.env.TABLE_IDEMPOTENCE = 'ti-idempotence';
  process.env.POWERTOOLS_IDEMPOTENCY_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const { route } = await import('@ti/platform/http/route');
  handler = route('territoires/importer', async ({ body, query, principal }) => {
    recu = { body, query, role: principal.role };
    return { status: 200, body: { octets: body.length } };
  }) as unknown as typeof handler;
});

const contexte = contexteLambda();

function evenement(options: {
  body: string | Buffer;
  contentType?: string;
  base64?: boolean;
  query?: Record<string, string>;
}): APIGatewayProxyEvent {
  const body =
    options.base64 || Buffer.isBuffer(options.body)
      ? Buffer.from(options.body).toString('base64')
      : (options.body as string);
  return evenementApi({
    path: '/territoires/import',
    headers: { ...(options.contentType ? { 'Content-Type': options.contentType } : {}) },
    queryStringParameters: options.query ?? { generation: '2019-2022' },
    body,
    isBase64Encoded: options.base64 ?? Buffer.isBuffer(options.body),
    requestContext: { authorizer: { claims: { role: 'national', sub: 'operateur-national' } } },
  });
}

describe('route qui reçoit un fichier (text/csv)', () => {
  it('donne au handler les octets envoyés, en base64 (média binaire) comme en texte', async () => {
    const windows = iconv.encode(
      'insee_com;lib_com;id_ti;lib_ti\r\n80001;Abbeville;ti-1;Vallée – Somme\r\n',
      'win1252',
    );
    const reponse = await handler(
      evenement({ body: windows, contentType: 'text/csv; charset=windows-1252' }),
      contexte,
    );
    expect(reponse.statusCode).toBe(200);
    expect(recu?.body.equals(windows)).toBe(true);
    expect(recu?.query).toEqual({ generation: '2019-2022' });
    expect(recu?.role).toBe('national');

    const texte = '\uFEFFinsee_com;lib_com;id_ti;lib_ti\n';
    expect((await handler(evenement({ body: texte, contentType: 'text/csv' }), contexte)).statusCode).toBe(
      200,
    );
    expect(recu?.body.toString('utf8')).toBe(texte);
  });

  it('refuse un autre type de contenu (415), un fichier trop gros (413), une génération absente (400)', async () => {
    recu = undefined;
    const json = await handler(evenement({ body: '{"a":1}', contentType: 'application/json' }), contexte);
    expect(json.statusCode).toBe(415);
    expect(json.headers?.['Content-Type']).toBe('application/problem+json');
    expect(JSON.parse(json.body).detail).toContain('text/csv');
    expect((await handler(evenement({ body: 'a;b' }), contexte)).statusCode).toBe(415);
    const gros = Buffer.alloc(4 * 1024 * 1024 + 1, 0x41);
    expect((await handler(evenement({ body: gros, contentType: 'text/csv' }), contexte)).statusCode).toBe(
      413,
    );
    const sansGeneration = await handler(
      evenement({ body: 'a;b', contentType: 'text/csv', query: {} }),
      contexte,
    );
    expect(sansGeneration.statusCode).toBe(400);
    expect(JSON.parse(sansGeneration.body).errors[0].path).toBe('generation');
    expect(recu).toBeUndefined();
  });

  it('accepte un fichier plus gros que la limite des corps JSON (1 Mio) sur cette route', async () => {
    const deuxMio = Buffer.alloc(2 * 1024 * 1024, 0x41);
    expect((await handler(evenement({ body: deuxMio, contentType: 'text/csv' }), contexte)).statusCode).toBe(
      200,
    );
    expect(recu?.body.length).toBe(2 * 1024 * 1024);
  });
});

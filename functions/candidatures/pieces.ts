import { randomUUID } from 'node:crypto';
import { candidatureDeLaSource } from '@ti/domain/candidatures/service';
import { loadConfig } from '@ti/platform/config';
import { candidatureStoreDynamo } from '@ti/platform/dynamodb/candidatures';
import { route } from '@ti/platform/http/route';
import { clePiece, urlDeDepot } from '@ti/platform/s3/pieces';

const { tables, buckets } = loadConfig({ tables: ['candidatures'], buckets: ['pieces'] });
const deps = { candidatures: candidatureStoreDynamo(tables.candidatures) };

export const handler = route('candidatures/pieces', async ({ params, body, principal }) => {
  const candidature = await candidatureDeLaSource(deps, params.id ?? '', principal.source);
  const pieceId = randomUUID();
  const url = await urlDeDepot(buckets.pieces, clePiece(candidature.id, pieceId), body.taille, new Date());
  return { status: 201, body: { pieceId, ...url } };
});

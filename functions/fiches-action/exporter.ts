import { COLONNES_EXPORT, pageExportFiches, preparerExportFiches } from '@ti/domain/fiches-action/export';
import { loadConfig } from '@ti/platform/config';
import { ficheActionStoreDynamo } from '@ti/platform/dynamodb/fiches-action';
import { territoireStoreDynamo } from '@ti/platform/dynamodb/territoires';
import { route } from '@ti/platform/http/route';
import { deposerExport } from '@ti/platform/s3/exports';

const { tables, buckets } = loadConfig({ tables: ['fichesAction', 'territoires'], buckets: ['exports'] });
const deps = {
  fiches: ficheActionStoreDynamo(tables.fichesAction),
  territoires: territoireStoreDynamo(tables.territoires),
};

export const handler = route('fiches-action/exporter', async ({ query, principal }) => {
  if (query.format === 'json') return { status: 200, body: await pageExportFiches(deps, query, principal) };
  const { lignes } = await preparerExportFiches(deps, query, principal);
  const fichier = await deposerExport({
    bucket: buckets.exports,
    nom: 'fiches-action',
    format: query.format,
    colonnes: COLONNES_EXPORT,
    lignes,
    feuille: 'Fiches-action',
    maintenant: new Date(),
  });
  return { status: 303, body: fichier, headers: { Location: fichier.url } };
});

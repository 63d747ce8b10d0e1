import { lireImport } from '@ti/domain/laureats/service';
import { loadConfig } from '@ti/platform/config';
import { importStoreDynamo } from '@ti/platform/dynamodb/laureats';
import { route } from '@ti/platform/http/route';
import { rapportsS3 } from '@ti/platform/s3/laureats';

const { tables, buckets } = loadConfig({ tables: ['laureats'], buckets: ['laureats'] });
const deps = { imports: importStoreDynamo(tables.laureats), rapports: rapportsS3(buckets.laureats) };

export const handler = route('laureats/lire-import', async ({ params, principal }) => ({
  status: 200,
  body: await lireImport(deps, params.id ?? '', principal),
}));

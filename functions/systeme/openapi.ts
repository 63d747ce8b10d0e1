import { route } from '@ti/platform/http/route';
import { documentOpenApi } from '@ti/platform/openapi';

const document = documentOpenApi();

export const handler = route('systeme/openapi', async () => ({ status: 200, body: document }));

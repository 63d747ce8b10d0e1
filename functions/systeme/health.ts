import { route } from '@ti/platform/http/route';

export const handler = route('systeme/health', async () => ({ status: 200, body: { status: 'ok' } }));

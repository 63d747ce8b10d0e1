/**
 * `npm run -s token -- --role national|regional [--region 32] [--sub x] [--expires 8h] [--data-dir .local]`
 * Prints an operator JWT signed with the local secret of `.local/operator-jwt-secret` (created if
 * absent), the secret `npm start` uses. A `--memory` run has its own secret and prints ready tokens in
 * its start banner instead. Use it as `Authorization: Bearer <token>`.
 */
import { parseArgs } from 'node:util';
import { loadOrCreateJwtSecret, mintOperatorToken, type OperatorRole } from '../operator-auth';
import { defaultDataDir } from '../paths';

const usage =
  'usage: npm run -s token -- --role national|regional [--region <INSEE code>] [--sub <id>] [--expires 8h]';

try {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      region: { type: 'string' },
      sub: { type: 'string' },
      expires: { type: 'string', default: '8h' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (values.role !== 'national' && values.role !== 'regional')
    throw new Error('--role must be national or regional');
  if (values.region !== undefined && !/^\d{2,3}$/.test(values.region)) {
    throw new Error('--region must be an INSEE region code, e.g. 32');
  }
  const secret = loadOrCreateJwtSecret(values['data-dir'] ?? defaultDataDir);
  const expires = /^\d+$/.test(values.expires) ? Number(values.expires) : values.expires;
  const token = await mintOperatorToken(
    {
      role: values.role as OperatorRole,
      ...(values.region ? { region: values.region } : {}),
      ...(values.sub ? { sub: values.sub } : {}),
      expiresIn: expires,
    },
    secret,
  );
  process.stdout.write(`${token}\n`);
  if (process.stderr.isTTY) {
    const who =
      values.role === 'regional' ? `regional operator of region ${values.region}` : 'national operator';
    process.stderr.write(`(${who}, valid ${values.expires}; send it as "Authorization: Bearer <token>")\n`);
  }
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}

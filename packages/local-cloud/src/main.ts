/**
 * `npm start`: the embedded local cloud (DynamoDB Local + s3rver + the API Gateway emulation).
 *   npm start                       data kept in .local/ across restarts
 *   npm start -- --memory           throwaway run (nothing written to .local/)
 *   PORT=3100 npm start             API port (DynamoDB Local: DYNAMODB_PORT, default 8000; s3rver: S3_PORT, default 4569)
 * Other flags: --port, --dynamodb-port, --s3-port, --data-dir <dir>, --quiet, --no-demo.
 *   npm start -- --demo-campagne     runs the campaign `demo` in a minute (dates seconds apart; docs/calendrier.md)
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { routes } from '@ti/platform/routes';
import type { DemoOutcome } from './demo';
import { runCalendarDemo } from './demo-calendrier';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './environment';
import { DEFAULT_PORTS, type LocalCloud, startLocalCloud } from './local-cloud';
import { mintOperatorToken } from './operator-auth';
import { functionsDir, repoRoot } from './paths';
import { LOCAL_FORM_SOURCE } from './signature';

const { values } = parseArgs({
  options: {
    memory: { type: 'boolean', default: false },
    port: { type: 'string' },
    'dynamodb-port': { type: 'string' },
    's3-port': { type: 'string' },
    'data-dir': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    'no-demo': { type: 'boolean', default: false },
    'demo-campagne': { type: 'boolean', default: false },
  },
  strict: true,
});

function portOf(flag: string | undefined, envName: string, fallback: number): number {
  const raw = flag ?? process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Invalid port for ${envName}: ${raw}`);
    process.exit(2);
  }
  return port;
}

const options = {
  port: portOf(values.port, 'PORT', DEFAULT_PORTS.api),
  dynamodbPort: portOf(values['dynamodb-port'], 'DYNAMODB_PORT', DEFAULT_PORTS.dynamodb),
  s3Port: portOf(values['s3-port'], 'S3_PORT', DEFAULT_PORTS.s3),
  memory: values.memory,
  quiet: values.quiet,
  // The express campaign creates `demo` itself.
  seedDemo: !values['no-demo'] && !values['demo-campagne'],
  ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
};

// The handlers' INFO logs would drown the phases the demo prints (an exported level still wins).
if (values['demo-campagne']) process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
const starting = startLocalCloud(options);
let stopping = false;
let stoppingSince = 0;
async function shutdown(signal: string) {
  if (stopping) {
    // Ctrl-C reaches us twice (from the terminal's process group and relayed by tsx): only a later
    // signal means "hurry up". The exit hooks still kill DynamoDB Local and s3rver.
    if (Date.now() - stoppingSince < 1_500) return;
    console.error(`\n${signal} again: exiting now.`);
    process.exit(130);
  }
  stopping = true;
  stoppingSince = Date.now();
  setTimeout(() => {
    console.error('The local cloud did not stop within 15 s: exiting.');
    process.exit(1);
  }, 15_000).unref();
  console.log(`\n${signal}: stopping the local cloud…`);
  try {
    // A signal during start-up waits for it, then stops whatever started.
    const cloud = await starting.catch(() => undefined);
    await cloud?.stop();
    console.log('Local cloud stopped.');
    process.exit(0);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  const cloud = await starting;
  if (!stopping) await printBanner(cloud);
  if (!stopping && values['demo-campagne']) {
    try {
      await runCalendarDemo(cloud);
    } catch (error) {
      console.error(`The express campaign failed: ${(error as Error).message}`);
    }
    console.log('\nCtrl-C to stop.');
  }
} catch (error) {
  console.error(`The local cloud could not start: ${(error as Error).message}`);
  process.exit(1);
}

async function printBanner(c: LocalCloud) {
  const present = routes.filter((route) => existsSync(join(functionsDir, `${route.handler}.ts`)));
  const missing = routes.filter((route) => !present.includes(route));
  const where = c.dataDir
    ? `data kept in ${relative(repoRoot, c.dataDir) || c.dataDir}/`
    : 'memory run, nothing kept';
  const list = (items: { name: string; outcome: string }[]) =>
    items.map((item) => `${item.name}${item.outcome === 'created' ? ' (created)' : ''}`).join(', ');
  const demo = describeDemo(c.demo);
  const lines = [
    '',
    `Territoires d'industrie: local cloud ready in ${(c.startupMs / 1000).toFixed(1)} s (${where})`,
    '',
    `  API        ${c.baseUrl}`,
    `             ${present.length}/${routes.length} route handlers present${missing.length ? ` (missing → 501: ${missing.map((r) => `${r.method} ${r.path}`).join(', ')})` : ''}`,
    `  DynamoDB   ${c.dynamodbEndpoint}   tables: ${list(c.tables)}`,
    `  S3         ${c.s3Endpoint}   buckets: ${list(c.buckets)}`,
    `             credentials ${LOCAL_CREDENTIALS.accessKeyId}/${LOCAL_CREDENTIALS.secretAccessKey}, region ${LOCAL_REGION}, path-style URLs`,
    `  Open data  ${c.baseUrl}/open-data/agregats/index.html   (also regions.csv, regions.json; GET /agregats)`,
    `  Demo       ${demo}`,
    '',
    `  Form source       X-Source: ${LOCAL_FORM_SOURCE.id}   secret: ${LOCAL_FORM_SOURCE.secret}`,
    '  Sign a body       npm run -s sign -- events/<file>.json   (prints the headers and a curl command)',
  ];
  if (c.dataDir) {
    lines.push(
      '  Operator token    npm run -s token -- --role national',
      '                    npm run -s token -- --role regional --region 32',
    );
  } else {
    // `npm run token` signs with the secret of .local/, which this memory run does not use.
    const national = await mintOperatorToken({ role: 'national' }, c.jwtSecret);
    const regional = await mintOperatorToken({ role: 'regional', region: '32' }, c.jwtSecret);
    lines.push(
      '  Operator tokens   (this memory run has its own secret: `npm run token` would not work, use these; 8 h)',
      `    national        ${national}`,
      `    regional 32     ${regional}`,
    );
  }
  lines.push('', 'Ctrl-C to stop.', '');
  console.log(lines.join('\n'));
}

function describeDemo(demo: DemoOutcome): string {
  switch (demo.outcome) {
    case 'created':
      return 'campaign "demo" created (open since yesterday, closes in 30 days)';
    case 'present':
      return 'campaign "demo" already there';
    case 'skipped':
      return `campaign "demo" not seeded (${demo.reason})`;
    case 'failed':
      return `campaign "demo" could not be created: ${demo.reason}`;
  }
}

/**
 * `npm run bench`: latency of `POST /candidatures` on the local cloud (DynamoDB Local, in-process
 * handlers) at 20 concurrent connections, against `GET /health` measured in the same run as the
 * baseline (the gateway and middy chain alone, no database).
 */
import { readFileSync } from 'node:fs';
import { startLocalCloud } from '@ti/local-cloud/local-cloud';
import { mintOperatorToken } from '@ti/local-cloud/operator-auth';
import { LOCAL_FORM_SOURCE, signBody } from '@ti/local-cloud/signature';
import autocannon from 'autocannon';

const CONNEXIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const DUREE = Number(process.env.BENCH_SECONDS ?? 10);

function mesurer(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
    autocannon.track(instance, { renderProgressBar: process.stderr.isTTY, renderResultsTable: false });
  });
}

const ligne = (nom: string, r: autocannon.Result) =>
  `| ${nom} | ${r.requests.total} | ${Math.round(r.requests.average)} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx} | ${r.errors} |`;

const cloud = await startLocalCloud({
  port: 0,
  dynamodbPort: 0,
  s3Port: 0,
  memory: true,
  quiet: true,
  seedDemo: false,
});
try {
  const token = await mintOperatorToken({ role: 'national' }, cloud.jwtSecret);
  const maintenant = Date.now();
  const jour = 86_400_000;
  const campagne = await fetch(`${cloud.baseUrl}/campagnes/bench`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      ouverture: new Date(maintenant - jour).toISOString(),
      cloture: new Date(maintenant + 30 * jour).toISOString(),
      avisRegional: new Date(maintenant + 45 * jour).toISOString(),
      selectionNationale: new Date(maintenant + 60 * jour).toISOString(),
      annonce: new Date(maintenant + 75 * jour).toISOString(),
      finProgramme: '2027-12-31T23:59:59+01:00',
    }),
  });
  if (!campagne.ok) throw new Error(`campagne: ${campagne.status} ${await campagne.text()}`);

  const exemple = JSON.parse(
    readFileSync(new URL('../events/candidature-valide.json', import.meta.url), 'utf8'),
  );
  const body = JSON.stringify({ ...exemple, campagne: 'bench' });
  const signature = signBody(body, LOCAL_FORM_SOURCE.secret); // valid 300 s: the run is shorter

  // Warm-up: cold starts (module imports, geography) out of the figures.
  await mesurer({ url: `${cloud.baseUrl}/health`, connections: 2, amount: 50 });
  const sante = await mesurer({ url: `${cloud.baseUrl}/health`, connections: CONNEXIONS, duration: DUREE });
  const depot = await mesurer({
    url: `${cloud.baseUrl}/candidatures`,
    method: 'POST',
    connections: CONNEXIONS,
    duration: DUREE,
    headers: {
      'content-type': 'application/json',
      'x-source': LOCAL_FORM_SOURCE.id,
      'x-signature': signature,
    },
    body,
  });

  console.log(
    `\nPOST /candidatures on the local cloud, ${CONNEXIONS} connections, ${DUREE} s each (node ${process.version})\n`,
  );
  console.log('| route | requests | req/s | p50 ms | p99 ms | non-2xx | errors |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(ligne('GET /health (baseline)', sante));
  console.log(ligne('POST /candidatures', depot));
  console.log(
    `\nratio p50 POST/health: ${(depot.latency.p50 / Math.max(sante.latency.p50, 1)).toFixed(1)}×, throughput health/POST: ${(sante.requests.average / Math.max(depot.requests.average, 1)).toFixed(1)}×`,
  );
  if (depot.non2xx > 0 || depot.errors > 0) process.exitCode = 1;
} finally {
  await cloud.stop();
}

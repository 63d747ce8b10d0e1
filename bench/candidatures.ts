/**
 * `npm run bench`: latency of `POST /candidatures` on the local cloud (DynamoDB Local, in-process
 * handlers) at 20 concurrent connections, against `GET /health` measured in the same run as the
 * baseline (the gateway and middy chain alone, no database).
 */
import { nuageJetable } from '@ti/local-cloud/local-cloud';
import { LOCAL_FORM_SOURCE, signBody } from '@ti/local-cloud/signature';
import autocannon from 'autocannon';
import { clientApi, exemple } from '../test/support/client';

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

const cloud = await nuageJetable();
try {
  await clientApi(cloud).creerCampagne('bench', 'ouverte');
  const body = JSON.stringify({ ...exemple(), campagne: 'bench' });
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

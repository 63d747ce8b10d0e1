/**
 * `npm run bench:load`: 5,000 distinct candidatures (each its own name and a perimeter of two real EPCIs
 * of one region) posted at 50 requests in flight to a throwaway local cloud, then every 201 read back by
 * id and the campaign's candidatures counted in DynamoDB Local: zero lost, zero duplicated. Prints the
 * throughput and p50/p99 latencies, with `GET /health` measured the same way in the same run (baseline).
 * `CHARGE_NOMBRE`, `CHARGE_CONNEXIONS` to change the run. Exit code 1 when anything is lost or duplicated.
 */
import { loadavg } from 'node:os';
import { dynamoDbClient } from '@ti/local-cloud/dynamodb';
import { nuageJetable } from '@ti/local-cloud/local-cloud';
import { chargerCandidatures, compter, type Mesure, mesurer, percentile } from '../test/support/charge';
import { clientApi } from '../test/support/client';

const NOMBRE = Number(process.env.CHARGE_NOMBRE ?? 5000);
const CONNEXIONS = Number(process.env.CHARGE_CONNEXIONS ?? 50);

const ligne = (nom: string, mesures: Mesure[], dureeMs: number) => {
  const ms = mesures.map((m) => m.ms);
  const statuts = Object.entries(compter(mesures))
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
  return `| ${nom} | ${mesures.length} | ${(mesures.length / (dureeMs / 1000)).toFixed(0)} | ${percentile(ms, 50).toFixed(0)} | ${percentile(ms, 99).toFixed(0)} | ${statuts} |`;
};

const cloud = await nuageJetable();
const ddb = dynamoDbClient(cloud.dynamodbEndpoint);
try {
  const api = clientApi(cloud);
  await api.creerCampagne('charge', 'ouverte');

  // Warm-up: cold starts (module imports, geography) out of the figures; another campaign.
  await api.creerCampagne('charge-chauffe', 'ouverte');
  await chargerCandidatures(api, ddb, { campagne: 'charge-chauffe', nombre: 100, connexions: 10 });

  const sante = await mesurer(NOMBRE, CONNEXIONS, async (_, signal) => {
    const res = await fetch(`${cloud.baseUrl}/health`, { signal });
    await res.arrayBuffer();
    return { status: res.status };
  });
  const r = await chargerCandidatures(api, ddb, {
    campagne: 'charge',
    nombre: NOMBRE,
    connexions: CONNEXIONS,
  });

  console.log(
    `\n${NOMBRE} candidatures, ${CONNEXIONS} requests in flight, local cloud (node ${process.version}, ` +
      `load average ${loadavg()[0]?.toFixed(1)} on ${navigator.hardwareConcurrency} cores)\n`,
  );
  console.log('| route | requests | req/s | p50 ms | p99 ms | statuses |');
  console.log('|---|---|---|---|---|---|');
  console.log(ligne('GET /health (baseline)', sante.mesures, sante.dureeMs));
  console.log(ligne('POST /candidatures', r.mesures, r.dureeMs));
  console.log(
    `\nPOST: ${NOMBRE} in ${(r.dureeMs / 1000).toFixed(1)} s; read back by id (GET, ${CONNEXIONS} in flight): ` +
      `${(r.relus / (r.relectureMs / 1000)).toFixed(0)} req/s`,
  );
  console.log(
    `accepted (201): ${r.acceptes.length}, distinct ids: ${new Set(r.acceptes).size}, read back by id: ${r.relus}, ` +
      `in DynamoDB: ${r.enBase}, lost: ${r.perdus.length}, duplicated: ${r.doublons}`,
  );
  const correct =
    r.acceptes.length === NOMBRE &&
    new Set(r.acceptes).size === NOMBRE &&
    r.relus === NOMBRE &&
    r.enBase === NOMBRE &&
    r.perdus.length === 0 &&
    r.doublons === 0;
  console.log(correct ? 'OK: zero lost, zero duplicated' : 'FAILED: see the counts above');
  if (!correct) process.exitCode = 1;
} finally {
  ddb.destroy();
  await cloud.stop();
}

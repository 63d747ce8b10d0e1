/**
 * A whole selection campaign in under a minute, through the API, while a person watches
 * `GET /campagnes/demo`: dates a few seconds apart, three candidatures, the regions' opinions (one
 * region never gives its second one), the national decision, the announcement and its notifications.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isoParis } from '@ti/domain/commun/temps';
import { idTerritoireDeCandidature } from '@ti/domain/territoires/labellisation';
import type { Gateway } from './gateway';
import type { LocalCloud } from './local-cloud';
import { mintOperatorToken } from './operator-auth';
import { repoRoot } from './paths';
import { LOCAL_FORM_SOURCE, signBody } from './signature';

export const DEMO_CALENDRIER_ID = 'demo';

/** Seconds from the start of the demo to each date. */
export const ECARTS_DEMO = {
  ouverture: 3,
  cloture: 15,
  avisRegional: 30,
  selectionNationale: 38,
  annonce: 46,
};

/** Dates `ecarts` seconds from `debut`, with their Paris offset (a close at a time of day is exact). */
export function datesExpress(debut: number, ecarts: typeof ECARTS_DEMO = ECARTS_DEMO) {
  const instant = (secondes: number) => {
    const t = new Date(Math.floor(debut / 1000) * 1000 + secondes * 1000);
    // A close exactly at Paris midnight would mean "that whole day": one second later is exact.
    const iso = isoParis(t);
    return iso.includes('T00:00:00') ? isoParis(new Date(t.getTime() + 1000)) : iso;
  };
  return {
    ouverture: instant(ecarts.ouverture),
    cloture: instant(ecarts.cloture),
    avisRegional: instant(ecarts.avisRegional),
    selectionNationale: instant(ecarts.selectionNationale),
    annonce: instant(ecarts.annonce),
    finProgramme: '2027-12-31T23:59:59+01:00',
  };
}

/**
 * Three candidatures from events/candidature-valide.json: the Bresle–Vimeu (Normandie and
 * Hauts-de-France), Barr–Kochersberg (Grand Est), Faucigny–Cluses (Auvergne-Rhône-Alpes).
 */
export function candidaturesExpress(campagne: string) {
  const base = JSON.parse(readFileSync(join(repoRoot, 'events/candidature-valide.json'), 'utf8'));
  const variante = (nom: string, epcis: string[], email: string) => {
    const { regionPilote: _r, ...sansPilote } = base;
    return { ...sansPilote, campagne, nomTerritoire: nom, perimetre: { epcis }, contact: { email } };
  };
  return {
    bresle: { ...base, campagne },
    barr: variante('Piémont de Barr – Kochersberg', ['200034270', '200034635'], 'ti@pays-de-barr.example.fr'),
    faucigny: variante('Vallée de l’Arve – Faucigny', ['200000172', '200033116'], 'ti@2ccam.example.fr'),
  };
}

interface Appel {
  status: number;
  /** The JSON body (an object for every answer the demo reads). */
  body: Record<string, unknown>;
}

/** An HTTP client of the gateway, in process, as a form source and as operators. */
export function clientDemo(gateway: Gateway, jwtSecret: string) {
  const lire = (r: { statusCode: number; body: Buffer }): Appel => {
    const texte = r.body.toString('utf8');
    return { status: r.statusCode, body: texte ? JSON.parse(texte) : undefined };
  };
  const jeton = (role: 'national' | 'regional', region?: string) =>
    mintOperatorToken(
      { role, ...(region ? { region } : {}), sub: `demo-${role}${region ? `-${region}` : ''}` },
      jwtSecret,
    );
  return {
    async formulaire(path: string, body: unknown): Promise<Appel> {
      const brut = JSON.stringify(body);
      return lire(
        await gateway.dispatch({
          method: 'POST',
          path,
          headers: {
            'Content-Type': 'application/json',
            'X-Source': LOCAL_FORM_SOURCE.id,
            'X-Signature': signBody(brut, LOCAL_FORM_SOURCE.secret),
          },
          body: brut,
        }),
      );
    },
    async operateur(
      method: string,
      path: string,
      body?: unknown,
      qui: { role: 'national' | 'regional'; region?: string } = { role: 'national' },
    ): Promise<Appel> {
      return lire(
        await gateway.dispatch({
          method,
          path,
          headers: {
            Authorization: `Bearer ${await jeton(qui.role, qui.region)}`,
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      );
    },
  };
}

const attendre = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the express campaign; resolves once the candidates are notified. It is `demo`, unless a `demo`
 * kept in the data folder is already past its opening (a calendar never goes back): then a new id.
 */
export async function runCalendarDemo(
  cloud: LocalCloud,
  print: (line: string) => void = (line) => console.log(line),
): Promise<void> {
  const api = clientDemo(cloud.gateway, cloud.jwtSecret);
  const existante = await api.operateur('GET', `/campagnes/${DEMO_CALENDRIER_ID}`);
  const libre = existante.status === 404 || ['a_venir', 'ouverte'].includes(String(existante.body.phase));
  const id = libre ? DEMO_CALENDRIER_ID : `${DEMO_CALENDRIER_ID}-${Date.now().toString(36)}`;
  const token = await mintOperatorToken({ role: 'national' }, cloud.jwtSecret);
  print(
    `Express campaign "${id}": watch it from another terminal with\n  watch -n1 "curl -s ${cloud.baseUrl}/campagnes/${id} -H 'Authorization: Bearer ${token}'"\n`,
  );
  const debut = Date.now();
  const depuis = () => `+${String(Math.round((Date.now() - debut) / 1000)).padStart(2, ' ')} s`;
  const exiger = (quoi: string, r: Appel, attendu: number) => {
    if (r.status !== attendu) throw new Error(`${quoi}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  const dates = datesExpress(debut);
  const creee = await api.operateur('PUT', `/campagnes/${id}`, dates);
  if (creee.status !== 201 && creee.status !== 200) exiger(`PUT /campagnes/${id}`, creee, 201);
  print(
    `${depuis()}  PUT /campagnes/${id}: ouverture ${dates.ouverture}, clôture ${dates.cloture}, avis ${dates.avisRegional}, annonce ${dates.annonce}`,
  );

  let phase = '';
  let fini = false;
  const suivi = (async () => {
    while (!fini) {
      const vue = await api.operateur('GET', `/campagnes/${id}`);
      const regions = (
        (vue.body?.regions ?? []) as { code: string; candidatures: number; avisRecus: number }[]
      )
        .map((r) => `${r.code}: ${r.avisRecus}/${2 * r.candidatures} avis`)
        .join(', ');
      phase = String(vue.body?.phase ?? '?');
      print(`${depuis()}  phase ${phase.padEnd(21)} ${regions}`);
      await attendre(1000);
    }
  })();
  const phaseAtteinte = async (attendue: string) => {
    while (phase !== attendue) {
      if (Date.now() - debut > 120_000) throw new Error(`phase ${attendue} not reached`);
      await attendre(200);
    }
  };

  let ids: Record<'bresle' | 'barr' | 'faucigny', string>;
  try {
    await phaseAtteinte('ouverte');
    const c = candidaturesExpress(id);
    ids = {
      bresle: exiger('dépôt', await api.formulaire('/candidatures', c.bresle), 201).id as string,
      barr: exiger('dépôt', await api.formulaire('/candidatures', c.barr), 201).id as string,
      faucigny: exiger('dépôt', await api.formulaire('/candidatures', c.faucigny), 201).id as string,
    };
    print(`${depuis()}  3 candidatures déposées (régions 28+32, 44, 84)`);

    await phaseAtteinte('instruction_regionale');
    const avis = async (candidature: string, region: string, emetteur: string, valeur: string) =>
      exiger(
        `avis ${emetteur} ${region}`,
        await api.operateur(
          'POST',
          `/candidatures/${candidature}/avis`,
          { emetteur, avis: valeur, motivation: `Avis ${valeur} de la démonstration.` },
          { role: 'regional', region },
        ),
        200,
      );
    await avis(ids.bresle, '32', 'conseil_regional', 'favorable');
    await avis(ids.bresle, '28', 'prefecture_region', 'favorable');
    await avis(ids.faucigny, '84', 'conseil_regional', 'reserve');
    await avis(ids.faucigny, '84', 'prefecture_region', 'defavorable');
    await avis(ids.barr, '44', 'conseil_regional', 'favorable');
    print(`${depuis()}  avis rendus ; la préfecture de région Grand Est (44) ne rendra pas le sien`);

    await phaseAtteinte('selection_nationale');
    exiger(
      'décision',
      await api.operateur('POST', `/campagnes/${id}/decision`, {
        labellisees: [ids.bresle, ids.barr],
        nonRetenues: [ids.faucigny],
      }),
      200,
    );
    print(`${depuis()}  décision du comité national : 2 labellisées, 1 non retenue`);

    await phaseAtteinte('terminee');
  } finally {
    fini = true;
    await suivi;
  }

  const crees: { id: string; nom: string }[] = [];
  for (const candidature of Object.values(ids)) {
    const territoire = await api.operateur('GET', `/territoires/${idTerritoireDeCandidature(candidature)}`);
    if (territoire.status === 200) crees.push(territoire.body as { id: string; nom: string });
  }
  const dossier = cloud.calendar?.notificationsDir ?? '';
  const mails = readdirSync(join(dossier, 'mails')).sort();
  print('');
  print(`Campagne « ${id} » terminée en ${Math.round((Date.now() - debut) / 1000)} s.`);
  print(`Territoires créés : ${crees.map((t) => `${t.id} (${t.nom})`).join(', ') || 'aucun'}`);
  print(`E-mails écrits dans ${join(dossier, 'mails')} :`);
  for (const fichier of mails) {
    const mail = JSON.parse(readFileSync(join(dossier, 'mails', fichier), 'utf8')) as {
      a: string;
      objet: string;
    };
    print(`  ${mail.a.padEnd(42)} ${mail.objet}`);
  }
  print(`Événements (EventBridge en AWS) dans ${join(dossier, 'evenements.jsonl')} :`);
  for (const ligne of readFileSync(join(dossier, 'evenements.jsonl'), 'utf8').trim().split('\n')) {
    const e = JSON.parse(ligne) as { 'detail-type': string; detail: { notificationId: string } };
    print(`  ${e['detail-type'].padEnd(26)} ${e.detail.notificationId}`);
  }
}

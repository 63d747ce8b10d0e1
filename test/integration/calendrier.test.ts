/**
 * The selection calendar over real HTTP, on the local cloud: the state machine definition CDK
 * synthesizes, run by aws-local-stepfunctions with its tasks mapped to the handlers; the task tokens
 * resumed by the API. Campaigns whose dates are seconds apart run whole in a few seconds.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { idTerritoireDeCandidature } from '@ti/domain/territoires/labellisation';
import { candidaturesExpress, datesExpress } from '@ti/local-cloud/demo-calendrier';
import { describe, expect, inject, it } from 'vitest';
import { envoyerSigne, jeton, operateur, type Reponse } from '../support/api';

/** Seconds from now: already open, closes in 3 s, opinions due 4 s later, announcement soon after. */
const ECARTS = { ouverture: -60, cloture: 3, avisRegional: 7, selectionNationale: 8, annonce: 10 };

async function programmer(id: string, ecarts = ECARTS): Promise<Reponse> {
  const res = await operateur(`/campagnes/${id}`, { method: 'PUT', body: datesExpress(Date.now(), ecarts) });
  expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
  return res;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `GET /campagnes/{id}` until `condition` holds. */
async function attendreCampagne(id: string, condition: (c: any) => boolean, delaiMs = 20_000): Promise<any> {
  const fin = Date.now() + delaiMs;
  let derniere: any;
  while (Date.now() < fin) {
    derniere = (await operateur(`/campagnes/${id}`)).body;
    if (condition(derniere)) return derniere;
    await pause(150);
  }
  throw new Error(`campaign ${id}: condition not met, last seen ${JSON.stringify(derniere)}`);
}
const phase = (id: string, attendue: string) => attendreCampagne(id, (c) => c.phase === attendue);

async function deposer(corps: unknown): Promise<string> {
  const res = await envoyerSigne('/candidatures', corps);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function avis(
  candidature: string,
  region: string,
  emetteur: string,
  valeur = 'favorable',
): Promise<Reponse> {
  return operateur(`/candidatures/${candidature}/avis`, {
    method: 'POST',
    token: await jeton('regional', region),
    body: { emetteur, avis: valeur, motivation: `Avis ${valeur} (test).` },
  });
}

/** The e-mails the calendar wrote for a campaign, and its events. */
function messages(campagne: string) {
  const dossier = inject('notificationsDir');
  const mails = existsSync(join(dossier, 'mails'))
    ? readdirSync(join(dossier, 'mails'))
        .map((f) => JSON.parse(readFileSync(join(dossier, 'mails', f), 'utf8')))
        .filter((m) => m.id.startsWith(`${campagne}.`))
    : [];
  const fichier = join(dossier, 'evenements.jsonl');
  const evenements = existsSync(fichier)
    ? readFileSync(fichier, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .filter((e) => e.detail.campagne === campagne)
    : [];
  return { mails, evenements };
}

// Labelled here: Barr–Kochersberg (Grand Est) and Faucigny (Auvergne-Rhône-Alpes), never the Bresle–Vimeu,
// whose communes the territories suite indexes from its own sample lists (one local cloud for all files).
describe('une campagne de bout en bout', () => {
  const id = 'integ-cal-nominal';
  const ids = { bresle: '', barr: '' };
  let dates: any;

  it('PUT démarre le calendrier de la version ; la campagne s’ouvre et reçoit les candidatures', async () => {
    // Opinions are due 10 s after the close: they all come well before, so the selection opens early.
    const res = await programmer(id, { ...ECARTS, avisRegional: 13, selectionNationale: 14, annonce: 16 });
    expect(res.status).toBe(201);
    dates = res.body;
    expect(res.body.calendrier).toMatchObject({ execution: `${id}-v1`, etat: 'en_cours' });
    await phase(id, 'ouverte');
    const c = candidaturesExpress(id);
    ids.bresle = await deposer(c.bresle);
    ids.barr = await deposer(c.barr);
  });

  it('à la clôture, les candidatures passent en instruction et ne se modifient plus (409)', async () => {
    await phase(id, 'instruction_regionale');
    expect((await operateur(`/candidatures/${ids.bresle}`)).body.statut).toBe('en_instruction');
    const amendement = await envoyerSigne(`/candidatures/${ids.bresle}`, candidaturesExpress(id).bresle, {
      method: 'PUT',
    });
    expect(amendement.status).toBe(409);
    expect((await envoyerSigne('/candidatures', candidaturesExpress(id).barr)).status).toBe(409);
  });

  it('les avis : un opérateur régional d’une région de la candidature seulement ; tous rendus, la sélection s’ouvre avant l’échéance', async () => {
    expect(
      (
        await operateur(`/candidatures/${ids.barr}/avis`, {
          method: 'POST',
          body: { emetteur: 'conseil_regional', avis: 'favorable', motivation: 'x' },
        })
      ).status,
    ).toBe(403);
    expect((await avis(ids.barr, '32', 'conseil_regional')).status).toBe(403);
    const invalide = await avis(ids.barr, '44', 'conseil_departemental');
    expect(invalide.status).toBe(400);
    expect(invalide.body.errors.map((e: { path: string }) => e.path)).toEqual(['emetteur']);

    const rendu = await avis(ids.bresle, '32', 'conseil_regional');
    expect(rendu.status).toBe(200);
    expect(rendu.body.avis).toEqual([
      expect.objectContaining({ emetteur: 'conseil_regional', avis: 'favorable', region: '32' }),
    ]);
    expect((await avis(ids.bresle, '28', 'prefecture_region')).status).toBe(200);
    expect((await avis(ids.barr, '44', 'conseil_regional', 'reserve')).status).toBe(200);
    expect((await avis(ids.barr, '44', 'prefecture_region', 'defavorable')).status).toBe(200);

    const vue = await phase(id, 'selection_nationale');
    expect(Date.now()).toBeLessThan(Date.parse(dates.avisRegional));
    expect(vue.regions).toEqual([
      { code: '28', candidatures: 1, avisRecus: 2 },
      { code: '32', candidatures: 1, avisRecus: 2 },
      { code: '44', candidatures: 1, avisRecus: 2 },
    ]);
    const regionale = await operateur(`/campagnes/${id}`, { token: await jeton('regional', '44') });
    expect(regionale.body.regions).toEqual([{ code: '44', candidatures: 1, avisRecus: 2 }]);
    expect((await avis(ids.barr, '44', 'prefecture_region')).status).toBe(409);
  });

  it('la décision nationale, puis à l’annonce : territoire créé, statuts, candidats notifiés', async () => {
    const decision = await operateur(`/campagnes/${id}/decision`, {
      method: 'POST',
      body: { labellisees: [ids.barr], nonRetenues: [ids.bresle] },
    });
    expect(decision.status, JSON.stringify(decision.body)).toBe(200);
    expect(decision.body).toMatchObject({ campagne: id, labellisees: [ids.barr], nonRetenues: [ids.bresle] });
    await phase(id, 'attente_annonce');
    const finale = await phase(id, 'terminee');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(dates.annonce));
    expect(finale.calendrier).toMatchObject({ execution: `${id}-v1`, etat: 'termine' });

    expect((await operateur(`/candidatures/${ids.barr}`)).body.statut).toBe('labellisee');
    const nonRetenue = await operateur(`/candidatures/${ids.bresle}`);
    expect(nonRetenue.body.statut).toBe('non_retenue');
    expect(nonRetenue.body.historique.map((h: { action: string }) => h.action)).toEqual([
      'depot',
      'instruction',
      'avis',
      'avis',
      'resultat',
    ]);
    const territoire = await operateur(`/territoires/${idTerritoireDeCandidature(ids.barr)}`);
    expect(territoire.status).toBe(200);
    expect(territoire.body).toMatchObject({
      nom: 'Piémont de Barr – Kochersberg',
      generation: '2023-2027',
      regions: ['44'],
      epcis: [
        expect.objectContaining({ siren: '200034270' }),
        expect.objectContaining({ siren: '200034635' }),
      ],
    });
    expect((await operateur(`/territoires/${idTerritoireDeCandidature(ids.bresle)}`)).status).toBe(404);

    const { mails, evenements } = messages(id);
    expect(mails.map((m) => m.a).sort()).toEqual([
      'territoire-industrie@cc-vimeu.example.fr',
      'ti@pays-de-barr.example.fr',
    ]);
    expect(mails.find((m) => m.a === 'ti@pays-de-barr.example.fr').objet).toContain('est labellisée');
    expect(mails.find((m) => m.a === 'territoire-industrie@cc-vimeu.example.fr').texte).toContain(
      "n'a pas été retenue",
    );
    const resultats = evenements.filter((e) => e['detail-type'] === 'Resultat de candidature');
    expect(resultats.map((e) => [e['detail-type'], e.detail.candidature, e.detail.resultat]).sort()).toEqual(
      [
        ['Resultat de candidature', ids.barr, 'labellisee'],
        ['Resultat de candidature', ids.bresle, 'non_retenue'],
      ].sort(),
    );
  });

  it('rejouer le calendrier (les mêmes dates renvoyées) ne crée ni territoire ni notification de plus', async () => {
    const avant = messages(id);
    expect(avant.mails).toHaveLength(2);
    const historique = (await operateur(`/candidatures/${ids.barr}`)).body.historique.length;
    const territoire = (await operateur(`/territoires/${idTerritoireDeCandidature(ids.barr)}`)).body;
    const {
      version: _v,
      creeeLe: _c,
      modifieeLe: _m,
      phase: _p,
      regions: _r,
      calendrier: _cal,
      id: _id,
      ...memesDates
    } = dates;
    const res = await operateur(`/campagnes/${id}`, { method: 'PUT', body: memesDates });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      version: 2,
      phase: 'terminee',
      calendrier: { execution: `${id}-v2`, etat: 'en_cours' },
    });
    const rejouee = await attendreCampagne(
      id,
      (c) => c.calendrier?.execution === `${id}-v2` && c.calendrier.etat === 'termine',
    );
    expect(rejouee.phase).toBe('terminee');

    expect((await operateur(`/candidatures/${ids.barr}`)).body.historique).toHaveLength(historique);
    expect((await operateur(`/territoires/${idTerritoireDeCandidature(ids.barr)}`)).body).toEqual(territoire);
    const apres = messages(id);
    expect(apres.mails).toEqual(avant.mails);
    expect(apres.evenements).toEqual(avant.evenements);
  });
});

describe('une région qui ne répond pas', () => {
  it('rappel à ses opérateurs, puis « non rendu » à l’échéance, et la campagne continue', async () => {
    const id = 'integ-cal-silence';
    await programmer(id);
    await phase(id, 'ouverte');
    const c = candidaturesExpress(id);
    const muette = await deposer(c.barr);
    const diligente = await deposer(c.faucigny);
    await phase(id, 'instruction_regionale');
    expect((await avis(diligente, '84', 'conseil_regional')).status).toBe(200);
    expect((await avis(diligente, '84', 'prefecture_region')).status).toBe(200);

    const vue = await phase(id, 'selection_nationale');
    expect(vue.regions).toEqual([
      { code: '44', candidatures: 1, avisRecus: 0 },
      { code: '84', candidatures: 1, avisRecus: 2 },
    ]);
    const lue = await operateur(`/candidatures/${muette}`);
    expect(lue.body.avis).toEqual([
      expect.objectContaining({ emetteur: 'conseil_regional', avis: 'non_rendu', region: '44' }),
      expect.objectContaining({ emetteur: 'prefecture_region', avis: 'non_rendu', region: '44' }),
    ]);
    const { evenements } = messages(id);
    // (Region 84, complete early, gets none unless its opinions came after the reminder's instant.)
    expect(
      evenements.filter((e) => e['detail-type'] === 'Rappel avis regional' && e.detail.region === '44'),
    ).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({
          notificationId: `${id}.44.rappel`,
          region: '44',
          candidatures: [
            {
              id: muette,
              nomTerritoire: c.barr.nomTerritoire,
              manquants: ['conseil_regional', 'prefecture_region'],
            },
          ],
        }),
      }),
    ]);

    const decision = await operateur(`/campagnes/${id}/decision`, {
      method: 'POST',
      body: { labellisees: [diligente], nonRetenues: [muette] },
    });
    expect(decision.status).toBe(200);
    const finale = await phase(id, 'terminee');
    expect(finale.calendrier.etat).toBe('termine');
    expect(messages(id).mails).toHaveLength(2);
  });
});

describe('la décision nationale', () => {
  it('refuse une candidature d’une autre campagne, un doublon, un oubli (422, chemin de chaque fautive) ; une seule décision', async () => {
    const id = 'integ-cal-decision';
    await programmer(id);
    await phase(id, 'ouverte');
    const c = candidaturesExpress(id);
    const a = await deposer(c.bresle);
    const b = await deposer(c.faucigny);
    const ailleurs = await deposer({ ...c.barr, campagne: 'demo' });

    const tropTot = await operateur(`/campagnes/${id}/decision`, {
      method: 'POST',
      body: { labellisees: [a, b], nonRetenues: [] },
    });
    expect(tropTot.status).toBe(409);

    await phase(id, 'instruction_regionale');
    for (const [cand, regions] of [
      [a, ['32', '28']],
      [b, ['84', '84']],
    ] as const) {
      expect((await avis(cand, regions[0], 'conseil_regional')).status).toBe(200);
      expect((await avis(cand, regions[1], 'prefecture_region')).status).toBe(200);
    }
    await phase(id, 'selection_nationale');

    const etrangere = await operateur(`/campagnes/${id}/decision`, {
      method: 'POST',
      body: { labellisees: [a, ailleurs], nonRetenues: [b] },
    });
    expect(etrangere.status).toBe(422);
    expect(etrangere.headers.get('content-type')).toContain('application/problem+json');
    expect(etrangere.body.errors).toEqual([
      {
        path: 'labellisees[1]',
        message: `La candidature ${ailleurs} n'est pas une candidature de la campagne « ${id} »`,
      },
    ]);
    const incomplete = await operateur(`/campagnes/${id}/decision`, {
      method: 'POST',
      body: { labellisees: [a], nonRetenues: [a] },
    });
    expect(incomplete.status).toBe(422);
    expect(incomplete.body.errors.map((e: { path: string }) => e.path)).toEqual(['nonRetenues[0]', '']);
    expect(
      (
        await operateur(`/campagnes/${id}/decision`, {
          method: 'POST',
          token: await jeton('regional', '32'),
          body: { labellisees: [a, b], nonRetenues: [] },
        })
      ).status,
    ).toBe(403);
    expect((await operateur(`/campagnes/${id}`)).body.phase).toBe('selection_nationale');

    const valide = await operateur(`/campagnes/${id}/decision`, {
      method: 'POST',
      body: { labellisees: [b], nonRetenues: [a] },
    });
    expect(valide.status).toBe(200);
    const encore = await operateur(`/campagnes/${id}/decision`, {
      method: 'POST',
      body: { labellisees: [a, b], nonRetenues: [] },
    });
    expect(encore.status).toBe(409);
    await phase(id, 'terminee');
    expect((await operateur(`/candidatures/${ailleurs}`)).body.statut).toBe('deposee');
  });
});

describe('des dates changées', () => {
  it('arrêtent l’exécution de l’ancienne version : la nouvelle sert les nouvelles dates ; un échec se voit', async () => {
    const id = 'integ-cal-redate';
    await programmer(id, {
      ...ECARTS,
      cloture: 120,
      avisRegional: 130,
      selectionNationale: 140,
      annonce: 150,
    });
    await phase(id, 'ouverte');
    const res = await programmer(id);
    expect(res.body).toMatchObject({ version: 2, phase: 'ouverte', calendrier: { execution: `${id}-v2` } });
    // No candidature: the review has no region to wait for, the national selection opens at once.
    const close = await attendreCampagne(id, (c) => c.phase !== 'ouverte');
    expect(close.calendrier.execution).toBe(`${id}-v2`);
    expect(Date.now()).toBeLessThan(Date.parse(res.body.cloture) + 5_000);

    // No decision by the announcement: the calendar fails, and the campaign says why.
    const echec = await attendreCampagne(id, (c) => c.calendrier?.etat === 'echec');
    expect(echec.phase).toBe('selection_nationale');
    expect(echec.calendrier.erreur).toMatch(
      /^DecisionManquante : La date d’annonce est passée sans décision nationale/,
    );
  });
});

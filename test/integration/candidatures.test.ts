import { LOCAL_FORM_SOURCE, signBody } from '@ti/local-cloud/signature';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, creerCampagne, envoyerSigne, exemple, jeton, operateur } from '../support/api';

const CAMPAGNE = 'integ-candidatures';
const candidature = (modifier: (c: any) => void = () => {}) => {
  const c = { ...exemple(), campagne: CAMPAGNE };
  modifier(c);
  return c;
};
const compter = async () => {
  const page = await operateur(`/candidatures?campagne=${CAMPAGNE}&limit=100`);
  return (page.body.items as unknown[]).length;
};

beforeAll(async () => {
  await creerCampagne(CAMPAGNE, 'ouverte');
  await creerCampagne('integ-close', 'close');
  await creerCampagne('integ-a-venir', 'a_venir');
});

describe('POST /candidatures', () => {
  it('accepte la candidature signée (201) et un opérateur la relit avec sa géographie et son historique', async () => {
    const depot = await envoyerSigne('/candidatures', candidature());
    expect(depot.status).toBe(201);
    expect(depot.body).toMatchObject({
      statut: 'deposee',
      version: 1,
      regions: ['28', '32'],
      departements: ['76', '80'],
      source: 'formulaire-local',
    });
    expect(depot.body.epcis.map((e: { siren: string }) => e.siren)).toEqual([
      '200070944',
      '247600588',
      '200069722',
    ]);
    expect(depot.headers.get('location')).toBe(`/candidatures/${depot.body.id}`);

    const lue = await operateur(`/candidatures/${depot.body.id}`);
    expect(lue.status).toBe(200);
    expect(lue.body.nomTerritoire).toBe('Vallée de la Bresle – Vimeu');
    expect(lue.body.gouvernance.industriel.siret).toBe('80214531200012');
    expect(lue.body.historique).toEqual([expect.objectContaining({ version: 1, action: 'depot' })]);
  });

  it('refuse une signature altérée, une source inconnue, un horodatage trop ancien (401), sans rien écrire', async () => {
    const avant = await compter();
    const corps = JSON.stringify(candidature());
    const altere = await envoyerSigne('/candidatures', corps.replace('Vimeu', 'Vimeux'), {
      headers: { 'X-Signature': signBody(corps, LOCAL_FORM_SOURCE.secret) },
    });
    expect(altere.status).toBe(401);
    expect(altere.headers.get('content-type')).toContain('application/problem+json');
    expect(altere.body).toMatchObject({ status: 401, title: 'Authentification requise' });

    expect((await envoyerSigne('/candidatures', corps, { source: 'inconnue' })).status).toBe(401);
    expect((await envoyerSigne('/candidatures', corps, { secret: 'mauvais-secret-de-test' })).status).toBe(
      401,
    );
    const vieux = await envoyerSigne('/candidatures', corps, { t: Math.floor(Date.now() / 1000) - 301 });
    expect(vieux.status).toBe(401);
    expect(vieux.body.detail).toContain('300 s');
    const sansSignature = await fetch(`${baseUrl()}/candidatures`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: corps,
    });
    expect(sansSignature.status).toBe(401);
    expect(await compter()).toBe(avant);
  });

  it('refuse un corps hors schéma (400) en nommant chaque champ, en français', async () => {
    const res = await envoyerSigne('/candidatures', {
      ...exemple('candidature-schema-invalide'),
      campagne: CAMPAGNE,
    });
    expect(res.status).toBe(400);
    const chemins = res.body.errors.map((e: { path: string }) => e.path);
    expect(chemins).toEqual(expect.arrayContaining(['nomTerritoire', 'planAction', 'contact.email']));
    expect(res.body.errors.find((e: { path: string }) => e.path === 'contact.email').message).toBe(
      'Adresse e-mail invalide',
    );
  });

  it('refuse un JSON mal formé (400), un autre type de contenu (415), un corps trop gros (413)', async () => {
    expect((await envoyerSigne('/candidatures', '{"campagne": ')).status).toBe(400);
    const texte = await envoyerSigne('/candidatures', JSON.stringify(candidature()), {
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(texte.status).toBe(415);
    const enorme = await envoyerSigne(
      '/candidatures',
      candidature((c) => (c.nomTerritoire = 'x'.repeat(1_100_000))),
    );
    expect(enorme.status).toBe(413);
    expect(enorme.body.status).toBe(413);
  });

  it('refuse une règle du programme (422) avec le chemin de chaque champ', async () => {
    const inconnu = await envoyerSigne('/candidatures', {
      ...exemple('candidature-epci-inconnu'),
      campagne: CAMPAGNE,
    });
    expect(inconnu.status).toBe(422);
    expect(inconnu.body.errors).toEqual([
      { path: 'perimetre.epcis[1]', message: expect.stringContaining('999999999') },
    ]);
    const seul = await envoyerSigne('/candidatures', {
      ...exemple('candidature-epci-unique-sans-justification'),
      campagne: CAMPAGNE,
    });
    expect(seul.status).toBe(422);
    expect(seul.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'perimetre.justificationEpciUnique',
    ]);
    const regles = await envoyerSigne('/candidatures', {
      ...exemple('candidature-regles-non-respectees'),
      campagne: CAMPAGNE,
    });
    expect(regles.status).toBe(422);
    expect(regles.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'gouvernance.industriel.siret',
      'lettresIntention',
    ]);
    const campagneInconnue = await envoyerSigne(
      '/candidatures',
      candidature((c) => (c.campagne = 'nulle-part')),
    );
    expect(campagneInconnue.status).toBe(422);
  });

  it('refuse un dépôt après la clôture ou avant l’ouverture (409) en donnant les dates', async () => {
    const close = await envoyerSigne(
      '/candidatures',
      candidature((c) => (c.campagne = 'integ-close')),
    );
    expect(close.status).toBe(409);
    expect(close.body.detail).toMatch(
      // A close at midnight includes that day; at a time of day (as here), it is that instant.
      /est clos : il est ouvert du \d\d\/\d\d\/\d{4} au \d\d\/\d\d\/\d{4} (inclus|à \d\d:\d\d)/,
    );
    const aVenir = await envoyerSigne(
      '/candidatures',
      candidature((c) => (c.campagne = 'integ-a-venir')),
    );
    expect(aVenir.status).toBe(409);
    expect(aVenir.body.detail).toContain("n'est pas encore ouvert");
  });

  it('rejoue la première réponse pour la même Idempotency-Key et le même corps, sans rien créer', async () => {
    const avant = await compter();
    const corps = candidature((c) => (c.nomTerritoire = 'Territoire idempotent'));
    const cle = { 'Idempotency-Key': `cle-${Date.now()}` };
    const premiere = await envoyerSigne('/candidatures', corps, { headers: cle });
    const seconde = await envoyerSigne('/candidatures', corps, { headers: cle });
    expect(premiere.status).toBe(201);
    expect(seconde.status).toBe(201);
    expect(seconde.body.id).toBe(premiere.body.id);
    expect(seconde.headers.get('idempotent-replayed')).toBe('true');
    expect(await compter()).toBe(avant + 1);

    const autreCorps = await envoyerSigne(
      '/candidatures',
      { ...corps, nomTerritoire: 'Autre' },
      { headers: cle },
    );
    expect(autreCorps.status).toBe(409);
    expect(await compter()).toBe(avant + 1);
  });
});

describe('PUT /candidatures/{id}', () => {
  it('modifie avec la bonne version, refuse une version périmée (412) et garde l’historique', async () => {
    const depot = await envoyerSigne('/candidatures', candidature());
    const id = depot.body.id;
    const modifiee = await envoyerSigne(
      `/candidatures/${id}`,
      candidature((c) => (c.nomTerritoire = 'Bresle – Vimeu – Liger')),
      { method: 'PUT', headers: { 'If-Match': '"1"' } },
    );
    expect(modifiee.status).toBe(200);
    expect(modifiee.body.version).toBe(2);
    expect(modifiee.headers.get('etag')).toBe('"2"');

    const perimee = await envoyerSigne(`/candidatures/${id}`, candidature(), {
      method: 'PUT',
      headers: { 'If-Match': '"1"' },
    });
    expect(perimee.status).toBe(412);

    const lue = await operateur(`/candidatures/${id}`);
    expect(lue.body.nomTerritoire).toBe('Bresle – Vimeu – Liger');
    expect(lue.body.historique).toEqual([
      expect.objectContaining({ version: 1, action: 'depot' }),
      expect.objectContaining({ version: 2, action: 'modification', champs: ['nomTerritoire'] }),
    ]);
  });

  it('refuse la modification d’une candidature inconnue (404)', async () => {
    const inconnue = await envoyerSigne('/candidatures/00000000-0000-4000-8000-000000000000', candidature(), {
      method: 'PUT',
    });
    expect(inconnue.status).toBe(404);
  });
});

describe('lecture par les opérateurs', () => {
  it('exige un jeton (401) ; un opérateur régional ne voit que sa région (403 sinon)', async () => {
    const depot = await envoyerSigne('/candidatures', candidature());
    const sansJeton = await fetch(`${baseUrl()}/candidatures/${depot.body.id}`);
    expect(sansJeton.status).toBe(401);

    const hdf = await operateur(`/candidatures/${depot.body.id}`, { token: await jeton('regional', '32') });
    expect(hdf.status).toBe(200);
    const ara = await operateur(`/candidatures/${depot.body.id}`, { token: await jeton('regional', '84') });
    expect(ara.status).toBe(403);
    const autreRegion = await operateur(`/candidatures?campagne=${CAMPAGNE}&region=84`, {
      token: await jeton('regional', '32'),
    });
    expect(autreRegion.status).toBe(403);
    const liste = await operateur(`/candidatures?campagne=${CAMPAGNE}`, {
      token: await jeton('regional', '84'),
    });
    expect(liste.status).toBe(200);
    expect(liste.body.items).toEqual([]);
  });

  it('pagine par curseur sans perdre ni répéter, et refuse un curseur altéré (400)', async () => {
    const total = await compter();
    expect(total).toBeGreaterThanOrEqual(3);
    const vus: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await operateur(
        `/candidatures?campagne=${CAMPAGNE}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      vus.push(...page.body.items.map((c: { id: string }) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(vus.length).toBe(total);
    expect(new Set(vus).size).toBe(total);

    const statut = await operateur(`/candidatures?campagne=${CAMPAGNE}&statut=labellisee`);
    expect(statut.body.items).toEqual([]);
    expect((await operateur('/candidatures?cursor=pas-un-curseur')).status).toBe(400);
    expect((await operateur('/candidatures?statut=inconnu')).status).toBe(400);
  });
});

describe('POST /candidatures/{id}/pieces', () => {
  it('donne une URL présignée qui accepte le PDF déclaré et refuse une autre taille', async () => {
    const depot = await envoyerSigne('/candidatures', candidature());
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const demande = await envoyerSigne(`/candidatures/${depot.body.id}/pieces`, {
      nomFichier: 'lettre-elu.pdf',
      type: 'application/pdf',
      taille: pdf.length,
    });
    expect(demande.status).toBe(201);
    expect(demande.body.pieceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(demande.body.expiresAt)).toBeGreaterThan(Date.now());

    const depotPdf = await fetch(demande.body.uploadUrl, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/pdf' },
      body: pdf,
    });
    expect(depotPdf.status).toBe(200);
    const autreTaille = await fetch(demande.body.uploadUrl, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/pdf' },
      body: Buffer.concat([pdf, Buffer.from('en trop')]),
    });
    expect(autreTaille.status).toBeGreaterThanOrEqual(400);

    const tropGros = await envoyerSigne(`/candidatures/${depot.body.id}/pieces`, {
      type: 'application/pdf',
      taille: 10 * 1024 * 1024 + 1,
    });
    expect(tropGros.status).toBe(400);
    expect(tropGros.body.errors[0].path).toBe('taille');
    const pasPdf = await envoyerSigne(`/candidatures/${depot.body.id}/pieces`, {
      type: 'image/png',
      taille: 10,
    });
    expect(pasPdf.status).toBe(400);
  });
});

describe('campagnes', () => {
  it('seul un opérateur national fixe les dates ; la campagne montre sa phase et ses régions', async () => {
    const corps = (await operateur(`/campagnes/${CAMPAGNE}`)).body;
    const { ouverture, cloture, avisRegional, selectionNationale, annonce, finProgramme } = corps;
    const regional = await operateur('/campagnes/integ-interdite', {
      method: 'PUT',
      token: await jeton('regional', '32'),
      body: { ouverture, cloture, avisRegional, selectionNationale, annonce, finProgramme },
    });
    expect(regional.status).toBe(403);
    const lue = await operateur(`/campagnes/${CAMPAGNE}`);
    expect(lue.status).toBe(200);
    expect(lue.body.phase).toBe('ouverte');
    expect(lue.body.regions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: '32' }),
        expect.objectContaining({ code: '28' }),
      ]),
    );
    expect((await operateur('/campagnes/inexistante')).status).toBe(404);
  });

  it('refuse des dates dans le désordre (422)', async () => {
    const res = await operateur('/campagnes/integ-desordre', {
      method: 'PUT',
      body: {
        ouverture: '2030-06-01T00:00:00+02:00',
        cloture: '2030-05-01T00:00:00+02:00',
        avisRegional: '2030-07-01T00:00:00+02:00',
        selectionNationale: '2030-08-01T00:00:00+02:00',
        annonce: '2030-09-01T00:00:00+02:00',
        finProgramme: '2031-12-31T23:59:59+01:00',
      },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: 'cloture', message: expect.any(String) }]);
  });
});

describe('documents publics', () => {
  it('GET /health et GET /openapi.json (3.1, généré des schémas)', async () => {
    expect(await (await fetch(`${baseUrl()}/health`)).json()).toEqual({ status: 'ok' });
    const doc: any = await (await fetch(`${baseUrl()}/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/candidatures'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CandidatureSaisie',
    });
    expect(doc.components.schemas.CandidatureSaisie.properties.planAction.maxItems).toBe(30);
  });
});

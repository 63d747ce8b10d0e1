import { attenteVers, instantRappel, nomExecution, PAS_MAX_SECONDES } from '@ti/domain/calendrier/echeances';
import {
  annoncer,
  atteindrePhase,
  attendre,
  calculerAttente,
  clore,
  constaterAvisNonRendus,
  rappeler,
  reprendreCalendriers,
  signalerEchec,
} from '@ti/domain/calendrier/etapes';
import {
  programmerCampagne,
  rendreAvis,
  rendreDecision,
  verifierDecision,
} from '@ti/domain/calendrier/service';
import {
  type Campagne,
  exigerFenetreOuverte,
  finDepot,
  phaseCourante,
  verifierCalendrier,
} from '@ti/domain/campagnes/campagne';
import type { Candidature } from '@ti/domain/candidatures/schema';
import type { ErreurDomaine } from '@ti/domain/commun/erreurs';
import { idTerritoireDeCandidature } from '@ti/domain/territoires/labellisation';
import { describe, expect, it } from 'vitest';
import {
  calendrierEnMemoire,
  campagnesEnMemoire,
  candidaturesEnMemoire,
  horloge,
  jetonsEnMemoire,
  marquesEnMemoire,
  notificationsEnMemoire,
  territoiresEnMemoire,
} from '../support/calendrier-memoire';
import { c2023 } from '../support/campagnes';
import { exemple } from '../support/exemples';

const national = { id: 'dge-1', role: 'national' as const };
const regional = (region: string) => ({ id: `sgar-${region}`, role: 'regional' as const, region });

const saisie = exemple();
let numero = 0;
function candidature(regions: string[], autres: Partial<Candidature> = {}): Candidature {
  numero += 1;
  return {
    ...saisie,
    campagne: 'c2023',
    nomTerritoire: `Territoire ${numero}`,
    contact: { email: `contact-${numero}@exemple.fr` },
    id: `cand-${numero}`,
    statut: 'en_instruction',
    regions,
    departements: [],
    population: 1000,
    epcis: [],
    nbCommunes: 1,
    deposeeLe: `2023-07-0${(numero % 9) + 1}T10:00:00Z`,
    modifieeLe: '2023-07-01T10:00:00Z',
    source: 'formulaire-local',
    version: 1,
    avis: [],
    ...autres,
  };
}

function monde(campagne: Campagne, maintenant: string, ...candidatures: Candidature[]) {
  const candidaturesStore = candidaturesEnMemoire();
  for (const c of candidatures) candidaturesStore.parId.set(c.id, structuredClone(c));
  return {
    campagnes: campagnesEnMemoire(campagne),
    candidatures: candidaturesStore,
    jetons: jetonsEnMemoire(),
    marques: marquesEnMemoire(),
    notifications: notificationsEnMemoire(),
    territoires: territoiresEnMemoire(),
    calendrier: calendrierEnMemoire(),
    horloge: horloge(maintenant),
  };
}

async function erreurDe(
  promesse: Promise<unknown>,
): Promise<{ kind?: string; name: string; message: string; violations?: { path: string }[] }> {
  try {
    await promesse;
  } catch (e) {
    return e as never;
  }
  throw new Error('expected a failure');
}

describe('échéances', () => {
  it('attend au plus un jour, puis relit la campagne ; arrondit à la seconde supérieure', () => {
    const maintenant = new Date('2023-06-01T10:00:00.250Z');
    const loin = attenteVers(new Date('2023-09-01T00:00:00Z'), maintenant);
    expect(loin).toEqual({ atteinte: false, jusqua: '2023-06-02T10:00:01Z', secondes: PAS_MAX_SECONDES + 1 });
    const proche = attenteVers(new Date('2023-06-01T10:00:05.100Z'), maintenant);
    expect(proche).toEqual({ atteinte: false, jusqua: '2023-06-01T10:00:06Z', secondes: 6 });
    expect(attenteVers(new Date('2023-06-01T09:00:00Z'), maintenant)).toMatchObject({
      atteinte: true,
      secondes: 1,
    });
  });

  it('rappelle sept jours avant l’échéance, ou à mi-chemin depuis la clôture quand l’instruction est courte', () => {
    expect(instantRappel(c2023({ avisRegional: '2023-10-13T18:00:00+02:00' })).toISOString()).toBe(
      '2023-10-06T16:00:00.000Z',
    );
    const express = c2023({
      cloture: '2023-09-22T10:00:00+02:00',
      avisRegional: '2023-09-22T10:00:10+02:00',
    });
    expect(instantRappel(express).toISOString()).toBe('2023-09-22T08:00:05.000Z');
  });

  it('nomme une exécution par version, en 80 caractères au plus', () => {
    expect(nomExecution('c2023', 3)).toBe('c2023-v3');
    expect(nomExecution('c2023', 3, new Date('2023-07-01T06:00:00Z'))).toBe('c2023-v3-r20230701060000');
    const long = nomExecution('a'.repeat(63), 123456, new Date('2023-07-01T06:00:00Z'));
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long).toMatch(/^a+-v123456-r20230701060000$/);
  });
});

describe('la clôture du dépôt', () => {
  it('à minuit, inclut ce jour-là ; à une autre heure, ferme à cet instant', () => {
    expect(finDepot(c2023()).toISOString()).toBe('2023-09-22T22:00:00.000Z');
    expect(finDepot(c2023({ cloture: '2023-09-22T18:00:00+02:00' })).toISOString()).toBe(
      '2023-09-22T16:00:00.000Z',
    );
  });

  it('une fois close par le calendrier, la fenêtre le reste même si la date recule', () => {
    const rouverte = c2023({ cloture: '2023-12-31T00:00:00+01:00', phase: 'instruction_regionale' });
    expect(() => exigerFenetreOuverte(rouverte, new Date('2023-10-01T00:00:00Z'))).toThrow(/est clos/);
    expect(() =>
      exigerFenetreOuverte(c2023({ phase: 'ouverte' }), new Date('2023-07-01T00:00:00Z')),
    ).not.toThrow();
  });

  it('exige l’échéance des avis après la fin du dépôt, jour de clôture compris', () => {
    const e = (() => {
      try {
        verifierCalendrier(c2023({ avisRegional: '2023-09-22T18:00:00+02:00' }));
      } catch (x) {
        return x as ErreurDomaine;
      }
    })();
    expect(e?.violations.map((v) => v.path)).toEqual(['avisRegional']);
  });

  it('la phase montrée est celle du calendrier quand il tourne, sinon celle des dates', () => {
    const enCours = new Date('2023-10-20T00:00:00Z');
    expect(phaseCourante(c2023(), enCours)).toBe('selection_nationale');
    expect(phaseCourante(c2023({ phase: 'instruction_regionale' }), enCours)).toBe('instruction_regionale');
  });
});

describe('PUT /campagnes/{id} démarre le calendrier de la version', () => {
  it('démarre c2023-v1, puis à la version 2 arrête c2023-v1 et démarre c2023-v2 ; la phase atteinte reste', async () => {
    const m = monde(c2023(), '2023-06-01T00:00:00Z');
    m.campagnes.parId.clear();
    const deps = { campagnes: m.campagnes, etat: m.campagnes, calendrier: m.calendrier, horloge: m.horloge };
    const { campagne: v1, creee } = await programmerCampagne(deps, 'c2023', c2023(), national);
    expect(creee).toBe(true);
    expect(v1.calendrier).toMatchObject({ execution: 'c2023-v1', etat: 'en_cours' });
    expect(m.calendrier.executions.get('c2023-v1')?.entree).toEqual({ campagne: 'c2023', version: 1 });

    await m.campagnes.avancerPhase('c2023', 1, 'ouverte');
    const { campagne: v2 } = await programmerCampagne(
      deps,
      'c2023',
      c2023({ cloture: '2023-09-29T00:00:00+02:00' }),
      national,
    );
    expect(m.calendrier.arrets).toEqual(['c2023-v1']);
    expect(m.calendrier.executions.get('c2023-v2')?.entree).toEqual({ campagne: 'c2023', version: 2 });
    expect(v2).toMatchObject({ version: 2, phase: 'ouverte', cloture: '2023-09-29T00:00:00+02:00' });
    expect(m.campagnes.parId.get('c2023')?.calendrier?.execution).toBe('c2023-v2');
  });
});

describe('POST /candidatures/{id}/avis', () => {
  const pendant = '2023-10-01T10:00:00Z';
  const avis = {
    emetteur: 'conseil_regional' as const,
    avis: 'favorable' as const,
    motivation: 'Projet solide.',
  };

  it('réservé aux opérateurs régionaux d’une région de la candidature (403)', async () => {
    const c = candidature(['32']);
    const m = monde(c2023(), pendant, c);
    expect((await erreurDe(rendreAvis(m, c.id, avis, national))).kind).toBe('interdit');
    expect((await erreurDe(rendreAvis(m, c.id, avis, regional('44')))).kind).toBe('interdit');
  });

  it('pendant l’instruction régionale seulement (409), d’après la phase du calendrier', async () => {
    const c = candidature(['32']);
    const m = monde(c2023({ phase: 'selection_nationale' }), pendant, c);
    const e = await erreurDe(rendreAvis(m, c.id, avis, regional('32')));
    expect(e.kind).toBe('conflit');
    expect(e.message).toContain('en sélection nationale');
  });

  it('un second avis du même émetteur remplace le premier ; l’historique garde les deux', async () => {
    const c = candidature(['32']);
    const m = monde(c2023(), pendant, c);
    await rendreAvis(m, c.id, avis, regional('32'));
    const revu = await rendreAvis(
      m,
      c.id,
      { ...avis, avis: 'reserve', motivation: 'À préciser.' },
      regional('32'),
    );
    expect(revu.avis).toEqual([
      expect.objectContaining({
        emetteur: 'conseil_regional',
        avis: 'reserve',
        region: '32',
        auteur: 'sgar-32',
      }),
    ]);
    expect(m.candidatures.versions.filter((v) => v.action === 'avis')).toHaveLength(2);
  });

  it('réessaie quand une autre écriture passe avant (concurrence optimiste)', async () => {
    const c = candidature(['32']);
    const m = monde(c2023(), pendant, c);
    m.candidatures.concurrence(c.id);
    const ecrite = await rendreAvis(m, c.id, avis, regional('32'));
    expect(ecrite.avis).toHaveLength(1);
  });

  it('quand chaque candidature d’une région a ses deux avis, l’attente de cette région reprend aussitôt', async () => {
    const interregionale = candidature(['28', '32']);
    const seule32 = candidature(['32']);
    const m = monde(c2023(), pendant, interregionale, seule32);
    await m.jetons.garder({ campagne: 'c2023', etape: 'avis', region: '28' }, 'jeton-28');
    await m.jetons.garder({ campagne: 'c2023', etape: 'avis', region: '32' }, 'jeton-32');

    await rendreAvis(m, interregionale.id, avis, regional('32'));
    await rendreAvis(m, interregionale.id, { ...avis, emetteur: 'prefecture_region' }, regional('28'));
    expect(m.jetons.reprises.map((r) => r.cle)).toEqual(['c2023/avis/28']);

    await rendreAvis(m, seule32.id, avis, regional('32'));
    await rendreAvis(m, seule32.id, { ...avis, emetteur: 'prefecture_region' }, regional('32'));
    expect(m.jetons.reprises.map((r) => r.cle)).toEqual(['c2023/avis/28', 'c2023/avis/32']);
    expect(m.jetons.reprises[1]?.sortie).toEqual({ region: '32', avis: 'complets' });
  });
});

describe('POST /campagnes/{id}/decision', () => {
  const pendant = '2023-10-20T10:00:00Z';

  it('vérifie que chaque candidature de la campagne est tranchée une fois, en nommant chaque chemin fautif', () => {
    const a = candidature(['32']);
    const b = candidature(['44']);
    const violations = verifierDecision(
      { labellisees: [a.id, 'autre-campagne'], nonRetenues: [a.id] },
      [a, b],
      'c2023',
    );
    expect(violations).toEqual([
      {
        path: 'labellisees[1]',
        message: "La candidature autre-campagne n'est pas une candidature de la campagne « c2023 »",
      },
      { path: 'nonRetenues[0]', message: `La candidature ${a.id} figure déjà en labellisees[0]` },
      {
        path: '',
        message: `La candidature ${b.id} (« ${b.nomTerritoire} ») n'est ni labellisée ni non retenue`,
      },
    ]);
    expect(verifierDecision({ labellisees: [b.id], nonRetenues: [a.id] }, [a, b], 'c2023')).toEqual([]);
  });

  it('refuse une candidature d’une autre campagne (422), sans rien enregistrer ni reprendre', async () => {
    const a = candidature(['32']);
    const ailleurs = candidature(['32'], { campagne: 'autre' });
    const m = monde(c2023(), pendant, a, ailleurs);
    await m.jetons.garder({ campagne: 'c2023', etape: 'decision' }, 'jeton-decision');
    const e = await erreurDe(
      rendreDecision(m, 'c2023', { labellisees: [a.id, ailleurs.id], nonRetenues: [] }, national),
    );
    expect(e.kind).toBe('regle_metier');
    expect(e.violations?.map((v) => v.path)).toEqual(['labellisees[1]']);
    expect(m.campagnes.parId.get('c2023')?.decision).toBeUndefined();
    expect(m.jetons.reprises).toEqual([]);
  });

  it('national, pendant la sélection nationale, une seule fois ; reprend l’attente du calendrier', async () => {
    const a = candidature(['32']);
    const b = candidature(['44']);
    const m = monde(c2023(), pendant, a, b);
    expect(
      (
        await erreurDe(
          rendreDecision(m, 'c2023', { labellisees: [a.id], nonRetenues: [b.id] }, regional('32')),
        )
      ).kind,
    ).toBe('interdit');
    await m.jetons.garder({ campagne: 'c2023', etape: 'decision' }, 'jeton-decision');
    const decision = await rendreDecision(m, 'c2023', { labellisees: [a.id], nonRetenues: [b.id] }, national);
    expect(decision).toMatchObject({ campagne: 'c2023', auteur: 'dge-1', labellisees: [a.id] });
    expect(m.jetons.reprises).toEqual([
      { cle: 'c2023/decision', jeton: 'jeton-decision', sortie: { labellisees: 1, nonRetenues: 1 } },
    ]);
    const encore = await erreurDe(
      rendreDecision(m, 'c2023', { labellisees: [a.id], nonRetenues: [b.id] }, national),
    );
    expect(encore.kind).toBe('conflit');

    const avant = monde(c2023({ phase: 'instruction_regionale' }), pendant, a, b);
    expect(
      (await erreurDe(rendreDecision(avant, 'c2023', { labellisees: [a.id], nonRetenues: [b.id] }, national)))
        .kind,
    ).toBe('conflit');
  });
});

describe('les étapes du calendrier', () => {
  const entree = { campagne: 'c2023', version: 1 };

  it('une exécution qui ne sert plus les dates courantes s’arrête (CalendrierPerime) sans rien écrire', async () => {
    const m = monde(
      c2023({ version: 2 }),
      '2023-09-23T00:00:00Z',
      candidature(['32'], { statut: 'deposee' }),
    );
    const e = await erreurDe(clore(m, entree));
    expect(e.name).toBe('CalendrierPerime');
    expect([...m.candidatures.parId.values()][0]?.statut).toBe('deposee');
    expect(m.campagnes.parId.get('c2023')?.phase).toBeUndefined();
  });

  it('la phase n’avance que vers l’avant', async () => {
    const m = monde(c2023({ phase: 'selection_nationale' }), '2023-10-20T00:00:00Z');
    await atteindrePhase(m, { ...entree, phase: 'ouverte' });
    expect(m.campagnes.parId.get('c2023')?.phase).toBe('selection_nationale');
    await atteindrePhase(m, { ...entree, phase: 'attente_annonce' });
    expect(m.campagnes.parId.get('c2023')?.phase).toBe('attente_annonce');
  });

  it('la clôture passe les candidatures déposées en instruction et donne les régions à instruire', async () => {
    const a = candidature(['28', '32'], { statut: 'deposee' });
    const b = candidature(['44'], { statut: 'deposee' });
    const m = monde(c2023({ phase: 'ouverte' }), '2023-09-23T00:00:00Z', a, b);
    expect(await clore(m, entree)).toEqual({ regions: ['28', '32', '44'], candidatures: 2 });
    expect([...m.candidatures.parId.values()].map((c) => c.statut)).toEqual([
      'en_instruction',
      'en_instruction',
    ]);
    expect(m.campagnes.parId.get('c2023')?.phase).toBe('instruction_regionale');
    expect(m.candidatures.versions.map((v) => v.action)).toEqual(['instruction', 'instruction']);
    await clore(m, entree);
    expect(m.candidatures.versions).toHaveLength(2);
  });

  it('l’attente des avis d’une région se réveille pour le rappel, puis à l’échéance', async () => {
    const m = monde(c2023(), '2023-10-01T00:00:00Z');
    const avisRegion = { ...entree, echeance: 'avisRegional' as const, region: '32' };
    expect(await calculerAttente(m, avisRegion)).toMatchObject({
      atteinte: false,
      rappel: false,
      secondes: PAS_MAX_SECONDES,
    });
    m.horloge.regler('2023-10-06T15:59:00Z');
    expect(await calculerAttente(m, avisRegion)).toMatchObject({
      jusqua: '2023-10-06T16:00:00Z',
      rappel: false,
    });
    m.horloge.regler('2023-10-06T16:00:00Z');
    expect(await calculerAttente(m, avisRegion)).toMatchObject({ atteinte: false, rappel: true });
    await m.marques.marquerRappel('c2023', '32', '2023-10-06T16:00:00Z');
    expect(await calculerAttente(m, avisRegion)).toMatchObject({
      rappel: false,
      jusqua: '2023-10-07T16:00:00Z',
    });
    m.horloge.regler('2023-10-13T16:00:00Z');
    expect(await calculerAttente(m, avisRegion)).toMatchObject({ atteinte: true, rappel: false });
  });

  it('le rappel part une fois, vers les opérateurs de la région, avec les avis manquants', async () => {
    const a = candidature(['32'], { avis: [{ emetteur: 'conseil_regional', avis: 'favorable', date: 'x' }] });
    const m = monde(c2023(), '2023-10-06T16:00:00Z', a);
    expect(await rappeler(m, { ...entree, region: '32' })).toEqual({ envoye: true, candidatures: 1 });
    expect(await rappeler(m, { ...entree, region: '32' })).toEqual({ envoye: false, candidatures: 0 });
    expect(m.notifications.evenements).toEqual([
      expect.objectContaining({
        id: 'c2023.32.rappel',
        type: 'Rappel avis regional',
        detail: expect.objectContaining({
          candidatures: [{ id: a.id, nomTerritoire: a.nomTerritoire, manquants: ['prefecture_region'] }],
        }),
      }),
    ]);
  });

  it('l’étape qui attend garde son jeton, puis se reprend elle-même si tout est déjà là', async () => {
    const complete = candidature(['32'], {
      avis: [
        { emetteur: 'conseil_regional', avis: 'favorable', date: 'x' },
        { emetteur: 'prefecture_region', avis: 'reserve', date: 'x' },
      ],
    });
    const incomplete = candidature(['44']);
    const m = monde(c2023(), '2023-10-01T00:00:00Z', complete, incomplete);
    expect(await attendre(m, { ...entree, etape: 'avis', region: '32', jeton: 't32' })).toEqual({
      deja: true,
    });
    expect(await attendre(m, { ...entree, etape: 'avis', region: '44', jeton: 't44' })).toEqual({
      deja: false,
    });
    expect(m.jetons.gardes.get('c2023/avis/44')).toBe('t44');
    expect(m.jetons.reprises.map((r) => r.jeton)).toEqual(['t32']);

    const decidee = monde(
      c2023({
        decision: { campagne: 'c2023', labellisees: [], nonRetenues: [], decideeLe: 'x', auteur: 'y' },
      }),
      '2023-10-20T00:00:00Z',
    );
    expect(await attendre(decidee, { ...entree, etape: 'decision', jeton: 'td' })).toEqual({ deja: true });
  });

  it('à l’échéance, les avis manquants sont « non rendus », une seule fois', async () => {
    const a = candidature(['44'], {
      avis: [{ emetteur: 'conseil_regional', avis: 'favorable', date: 'x', region: '44' }],
    });
    const m = monde(c2023(), '2023-10-13T16:00:01Z', a);
    expect(await constaterAvisNonRendus(m, { ...entree, region: '44' })).toEqual({ nonRendus: 1 });
    expect(await constaterAvisNonRendus(m, { ...entree, region: '44' })).toEqual({ nonRendus: 0 });
    expect(m.candidatures.parId.get(a.id)?.avis).toEqual([
      expect.objectContaining({ emetteur: 'conseil_regional', avis: 'favorable' }),
      { emetteur: 'prefecture_region', avis: 'non_rendu', region: '44', date: '2023-10-13T16:00:01.000Z' },
    ]);
  });

  describe('l’annonce', () => {
    function decidee() {
      const a = candidature(['32']);
      const b = candidature(['44']);
      const m = monde(
        c2023({
          phase: 'attente_annonce',
          decision: {
            campagne: 'c2023',
            labellisees: [a.id],
            nonRetenues: [b.id],
            decideeLe: 'x',
            auteur: 'dge-1',
          },
          calendrier: { execution: 'c2023-v1', etat: 'en_cours', depuis: 'x' },
        }),
        '2023-11-15T09:00:01Z',
        a,
        b,
      );
      return { a, b, m };
    }

    it('applique la décision : statuts, territoire de la labellisée, une notification par candidature, phase terminée', async () => {
      const { a, b, m } = decidee();
      const resultat = await annoncer(m, entree);
      expect(resultat).toEqual({
        labellisees: 1,
        nonRetenues: 1,
        territoires: [idTerritoireDeCandidature(a.id)],
        notifications: 2,
      });
      expect(m.candidatures.parId.get(a.id)?.statut).toBe('labellisee');
      expect(m.candidatures.parId.get(b.id)?.statut).toBe('non_retenue');
      expect(m.territoires.parId.get(idTerritoireDeCandidature(a.id))).toMatchObject({
        nom: a.nomTerritoire,
        generation: '2023-2027',
        source: { type: 'candidature', candidature: a.id, campagne: 'c2023' },
      });
      expect(m.notifications.mails.map((x) => [x.a, x.objet])).toEqual(
        expect.arrayContaining([
          [a.contact.email, expect.stringContaining('est labellisée')],
          [b.contact.email, expect.stringContaining('résultat de la candidature')],
        ]),
      );
      expect(m.notifications.evenements.map((e) => e.detail.resultat).sort()).toEqual([
        'labellisee',
        'non_retenue',
      ]);
      expect(m.campagnes.parId.get('c2023')).toMatchObject({
        phase: 'terminee',
        calendrier: { etat: 'termine', execution: 'c2023-v1' },
      });
    });

    it('ne montre jamais la campagne « terminée » avec son calendrier encore en cours (une seule écriture)', async () => {
      const { m } = decidee();
      const vues: unknown[] = [];
      // A reader looking after every write of the campaign.
      for (const methode of ['avancerPhase', 'enregistrerCalendrier'] as const) {
        const ecrire = m.campagnes[methode].bind(m.campagnes) as (...a: unknown[]) => Promise<unknown>;
        (m.campagnes as unknown as Record<string, unknown>)[methode] = async (...a: unknown[]) => {
          const r = await ecrire(...a);
          const c = m.campagnes.parId.get('c2023');
          vues.push({ phase: c?.phase, etat: c?.calendrier?.etat });
          return r;
        };
      }
      await annoncer(m, entree);
      expect(vues.at(-1)).toEqual({ phase: 'terminee', etat: 'termine' });
      expect(vues).not.toContainEqual({ phase: 'terminee', etat: 'en_cours' });
    });

    it('rejouée, ne crée ni territoire ni notification de plus', async () => {
      const { m } = decidee();
      await annoncer(m, entree);
      const ecritures = m.territoires.ecritures;
      const versions = m.candidatures.versions.length;
      expect(await annoncer(m, entree)).toMatchObject({ notifications: 0 });
      expect(m.territoires.ecritures).toBe(ecritures);
      expect(m.candidatures.versions).toHaveLength(versions);
      expect(m.notifications.mails).toHaveLength(2);
      expect(m.notifications.evenements).toHaveLength(2);
    });

    it('reprend après une panne : ce qui était fait reste, le reste se fait, et rien n’est envoyé deux fois', async () => {
      const { a, m } = decidee();
      const envoi = m.notifications.envoyerMail;
      let pannes = 1;
      m.notifications.envoyerMail = async (mail) => {
        if (mail.a === a.contact.email && pannes-- > 0) throw new Error('SES indisponible');
        return envoi(mail);
      };
      expect((await erreurDe(annoncer(m, entree))).message).toBe('SES indisponible');
      expect(m.campagnes.parId.get('c2023')?.phase).toBe('attente_annonce');
      // The interrupted notification is held by its lease; past it, the re-run sends it.
      expect((await erreurDe(annoncer(m, entree))).name).toBe('NotificationEnCours');
      m.horloge.avancer(121_000);
      expect(await annoncer(m, entree)).toMatchObject({ notifications: 1 });
      expect(m.notifications.mails.filter((x) => x.a === a.contact.email)).toHaveLength(1);
      expect(m.notifications.mails).toHaveLength(2);
      expect(m.campagnes.parId.get('c2023')?.phase).toBe('terminee');
    });

    it('sans décision, échoue (DecisionAbsente) sans rien changer', async () => {
      const a = candidature(['32']);
      const m = monde(c2023(), '2023-11-15T09:00:01Z', a);
      expect((await erreurDe(annoncer(m, entree))).name).toBe('DecisionAbsente');
      expect(m.candidatures.parId.get(a.id)?.statut).toBe('en_instruction');
    });
  });

  it('un échec est inscrit sur la campagne, avec le message de la fonction, sauf pour une exécution périmée', async () => {
    const m = monde(
      c2023({ calendrier: { execution: 'c2023-v1', etat: 'en_cours', depuis: 'x' } }),
      '2023-10-01T00:00:00Z',
    );
    const cause = JSON.stringify({ errorType: 'Error', errorMessage: 'DynamoDB indisponible' });
    expect(await signalerEchec(m, { ...entree, erreur: { Error: 'Error', Cause: cause } })).toEqual({
      enregistre: true,
    });
    expect(m.campagnes.parId.get('c2023')?.calendrier).toMatchObject({
      execution: 'c2023-v1',
      etat: 'echec',
      erreur: 'Error : DynamoDB indisponible',
    });
    expect(await signalerEchec(m, { campagne: 'c2023', version: 9, erreur: { Error: 'X' } })).toEqual({
      enregistre: false,
    });
  });

  it('la reprise relance un calendrier perdu, inscrit un échec non signalé, laisse les autres', async () => {
    const m = monde(
      c2023({ calendrier: { execution: 'c2023-v1', etat: 'en_cours', depuis: 'x' } }),
      '2023-07-01T04:00:00Z',
    );
    const autres = [
      c2023({ id: 'tourne', calendrier: { execution: 'tourne-v1', etat: 'en_cours', depuis: 'x' } }),
      c2023({ id: 'echouee', calendrier: { execution: 'echouee-v1', etat: 'en_cours', depuis: 'x' } }),
      c2023({
        id: 'finie',
        phase: 'terminee',
        calendrier: { execution: 'finie-v1', etat: 'termine', depuis: 'x' },
      }),
    ];
    for (const c of autres) m.campagnes.parId.set(c.id, c);
    m.calendrier.executions.set('tourne-v1', { entree: {}, etat: 'en_cours' });
    m.calendrier.executions.set('echouee-v1', { entree: {}, etat: 'echouee' });

    expect(await reprendreCalendriers(m)).toEqual({ reprises: ['c2023-v1-r20230701040000'] });
    expect(m.calendrier.executions.get('c2023-v1-r20230701040000')?.entree).toEqual({
      campagne: 'c2023',
      version: 1,
    });
    expect(m.campagnes.parId.get('c2023')?.calendrier?.execution).toBe('c2023-v1-r20230701040000');
    expect(m.campagnes.parId.get('echouee')?.calendrier).toMatchObject({ etat: 'echec' });
    expect(m.campagnes.parId.get('tourne')?.calendrier?.etat).toBe('en_cours');
    expect(await reprendreCalendriers(m)).toEqual({ reprises: [] });
  });
});

import { readFileSync } from 'node:fs';
import type { Campagne } from '@ti/domain/campagnes/campagne';
import type { Operateur } from '@ti/domain/commun/acces';
import { type ErreurDomaine, formatPath } from '@ti/domain/commun/erreurs';
import { besoinFinancementCentimes, verifierFiche } from '@ti/domain/fiches-action/regles';
import { FicheActionSaisie } from '@ti/domain/fiches-action/schema';
import {
  deposerFiche,
  instruireFiche,
  lireFiche,
  listerFichesDuTerritoire,
  modifierFiche,
} from '@ti/domain/fiches-action/service';
import { importerTerritoires } from '@ti/domain/territoires/import';
import { creerTerritoireLabellise } from '@ti/domain/territoires/labellisation';
import { lireCsv } from '@ti/platform/fichiers/csv';
import { describe, expect, it } from 'vitest';
import { erreur } from '../support/erreurs';
import { exemple as lireExemple } from '../support/exemples';
import { campagnesEnMemoire, fichesEnMemoire, horlogeFixe, territoiresEnMemoire } from '../support/memoire';

const exemple = (nom = 'fiche-action-valide'): FicheActionSaisie => FicheActionSaisie.parse(lireExemple(nom));
const brut = (nom = 'fiche-action-valide') => lireExemple(nom);

const national: Operateur = { id: 'operateur-national', role: 'national' };
const hautsDeFrance: Operateur = { id: 'operateur-32', role: 'regional', region: '32' };
const normandie: Operateur = { id: 'operateur-28', role: 'regional', region: '28' };
const auvergne: Operateur = { id: 'operateur-84', role: 'regional', region: '84' };

const chemins = (e: ErreurDomaine) => e.violations.map((v) => v.path);

describe('schéma de la fiche-action', () => {
  it('valide l’exemple et normalise le SIRET', () => {
    expect(exemple().porteur.siret).toBe('44781209000010');
  });

  it('refuse (400) plus de 2 décimales, aucun indicateur, une énumération inconnue, avec le chemin du champ', () => {
    const fiche = brut();
    fiche.financement.sources[1].montant = 250000.105;
    fiche.indicateurs = [];
    fiche.maturite = 'lancee';
    fiche.calendrier.fin = '2027-02-30';
    const resultat = FicheActionSaisie.safeParse(fiche);
    expect(resultat.success).toBe(false);
    expect(resultat.error?.issues.map((i) => formatPath(i.path)).sort()).toEqual([
      'calendrier.fin',
      'financement.sources[1].montant',
      'indicateurs',
      'maturite',
    ]);
  });
});

describe('règles de la fiche-action', () => {
  it('calcule le besoin de financement au centime : coût total − sources acquises', () => {
    const fiche = exemple();
    expect(besoinFinancementCentimes(fiche.financement)).toBe(38_750_005);
    expect(
      besoinFinancementCentimes({
        coutTotal: 0.3,
        sources: [
          { financeur: 'A', type: 'etat', montant: 0.1, statut: 'acquis' },
          { financeur: 'B', type: 'region', montant: 0.2, statut: 'acquis' },
        ],
      }),
    ).toBe(0);
  });

  it('accepte des sources dont le total égale le coût (0,10 + 0,20 = 0,30), refuse un centime de plus (422)', async () => {
    const juste = exemple();
    juste.financement = {
      coutTotal: 0.3,
      sources: [
        { financeur: 'A', type: 'etat', montant: 0.1, statut: 'acquis' },
        { financeur: 'B', type: 'region', montant: 0.2, statut: 'sollicite' },
      ],
    };
    expect(() => verifierFiche(juste, '2027-12-31')).not.toThrow();

    const e = await erreur(() => verifierFiche(exemple('fiche-action-sources-excedent'), '2027-12-31'));
    expect(e.kind).toBe('regle_metier');
    expect(e.violations).toEqual([
      {
        path: 'financement.sources',
        message:
          "Le total des sources de financement (500\u202f000,01 €) dépasse le coût total de l'action (500\u202f000,00 €)",
      },
    ]);
  });

  it('veut une fin après le début, au plus tard à la fin du programme, des jalons dans le calendrier, un SIRET valide', async () => {
    const fiche = exemple();
    fiche.calendrier = {
      debut: '2026-01-01',
      fin: '2025-12-31',
      jalons: [{ libelle: 'Trop tôt', date: '2025-06-30' }],
    };
    fiche.porteur.siret = '44781209000011';
    expect(chemins(await erreur(() => verifierFiche(fiche, '2027-12-31')))).toEqual([
      'porteur.siret',
      'calendrier.fin',
      'calendrier.jalons[0].date',
    ]);
    fiche.calendrier = { debut: '2026-01-01', fin: '2028-01-01' };
    fiche.porteur.siret = undefined;
    const tard = await erreur(() => verifierFiche(fiche, '2027-12-31'));
    expect(tard.violations).toEqual([
      {
        path: 'calendrier.fin',
        message: "L'action doit s'achever au plus tard le 31/12/2027, fin du programme",
      },
    ]);
    fiche.calendrier.fin = '2027-12-31';
    expect(() => verifierFiche(fiche, '2027-12-31')).not.toThrow();
  });

  it('accepte une action déjà en cours, commencée avant le programme', () => {
    const fiche = exemple();
    fiche.maturite = 'en_cours';
    fiche.calendrier = { debut: '2021-09-01', fin: '2026-06-30' };
    expect(() => verifierFiche(fiche, '2027-12-31')).not.toThrow();
  });
});

async function monde() {
  const territoires = territoiresEnMemoire();
  const horloge = horlogeFixe('2026-11-23T10:00:00.000Z');
  const csv = readFileSync(new URL('../../events/territoires-2023-2027.csv', import.meta.url));
  await importerTerritoires({ territoires, horloge }, lireCsv(csv), '2023-2027', national);
  const ancien = readFileSync(new URL('../../events/territoires-2019-2022.csv', import.meta.url));
  await importerTerritoires({ territoires, horloge }, lireCsv(ancien), '2019-2022', national);
  const campagne: Campagne = {
    id: 'campagne-2023',
    ouverture: '2023-06-23T00:00:00+02:00',
    cloture: '2023-09-22T23:59:59+02:00',
    avisRegional: '2023-10-10T00:00:00+02:00',
    selectionNationale: '2023-10-31T00:00:00+01:00',
    annonce: '2023-11-15T00:00:00+01:00',
    finProgramme: '2026-12-31T23:59:59+01:00',
    version: 1,
    creeeLe: '2023-06-01T00:00:00Z',
    modifieeLe: '2023-06-01T00:00:00Z',
  };
  let n = 0;
  return {
    fiches: fichesEnMemoire(),
    territoires,
    campagnes: campagnesEnMemoire(campagne),
    horloge,
    nouvelId: () => `fiche-${++n}`,
  };
}

describe('dépôt, modification et instruction d’une fiche-action', () => {
  it('dépose une fiche pour un territoire labellisé 2023-2027, avec son besoin de financement en euros', async () => {
    const deps = await monde();
    const fiche = await deposerFiche(deps, 'ti-8418', exemple(), 'formulaire-local');
    expect(fiche).toMatchObject({
      id: 'fiche-1',
      territoire: 'ti-8418',
      statut: 'deposee',
      besoinFinancement: 387500.05,
      version: 1,
      source: 'formulaire-local',
      deposeeLe: '2026-11-23T10:00:00.000Z',
    });
    expect(await deps.fiches.historique('fiche-1')).toEqual([
      expect.objectContaining({ version: 1, action: 'depot', statut: 'deposee', auteur: 'formulaire-local' }),
    ]);
  });

  it('refuse un territoire inconnu (404) ou d’une autre génération (409)', async () => {
    const deps = await monde();
    expect((await erreur(deposerFiche(deps, 'ti-404', exemple(), 'f'))).kind).toBe('introuvable');
    expect((await erreur(deposerFiche(deps, 'ti-8001', exemple(), 'f'))).kind).toBe('conflit');
    expect(deps.fiches.fiches.size).toBe(0);
  });

  it('borne le calendrier par la fin du programme de la campagne du territoire, s’il en a une', async () => {
    const deps = await monde();
    const candidature = lireExemple('candidature-valide');
    const territoire = await creerTerritoireLabellise(deps, {
      ...candidature,
      campagne: 'campagne-2023',
      id: 'c-1',
      statut: 'labellisee',
      regions: [],
      departements: [],
      population: 0,
      epcis: [],
      nbCommunes: 0,
      deposeeLe: '',
      modifieeLe: '',
      source: 'f',
      version: 1,
      avis: [],
    });
    const e = await erreur(deposerFiche(deps, territoire.id, exemple(), 'f'));
    expect(e.violations).toEqual([
      {
        path: 'calendrier.fin',
        message: "L'action doit s'achever au plus tard le 31/12/2026, fin du programme",
      },
    ]);
  });

  it('modifie avec la bonne version, refuse une version périmée (412) ou une autre source (403)', async () => {
    const deps = await monde();
    const fiche = await deposerFiche(deps, 'ti-8418', exemple(), 'formulaire-local');
    const nouvelle = exemple();
    nouvelle.titre = 'Décarboner les fours verriers (phase 1)';
    const modifiee = await modifierFiche(deps, fiche.id, nouvelle, 'formulaire-local', 1);
    expect(modifiee).toMatchObject({
      version: 2,
      titre: 'Décarboner les fours verriers (phase 1)',
      statut: 'deposee',
    });
    const perimee = await erreur(modifierFiche(deps, fiche.id, nouvelle, 'formulaire-local', 1));
    expect(perimee.kind).toBe('version_perimee');
    expect(perimee.message).toContain('version 2, pas 1');
    expect((await erreur(modifierFiche(deps, fiche.id, nouvelle, 'autre-source', 2))).kind).toBe('interdit');
    expect((await deps.fiches.historique(fiche.id)).map((e) => [e.version, e.action, e.champs])).toEqual([
      [1, 'depot', expect.any(Array)],
      [2, 'modification', ['titre']],
    ]);
  });

  it('est instruite par un opérateur régional d’une région du territoire, motif gardé dans l’historique', async () => {
    const deps = await monde();
    const fiche = await deposerFiche(deps, 'ti-8418', exemple(), 'formulaire-local');
    expect(
      (await erreur(instruireFiche(deps, fiche.id, { decision: 'validee' }, national, undefined))).kind,
    ).toBe('interdit');
    expect(
      (await erreur(instruireFiche(deps, fiche.id, { decision: 'validee' }, auvergne, undefined))).kind,
    ).toBe('interdit');
    const motif = 'Préciser le plan de financement de la phase 2';
    const aCompleter = await instruireFiche(deps, fiche.id, { decision: 'a_completer', motif }, normandie, 1);
    expect(aCompleter).toMatchObject({
      statut: 'a_completer',
      version: 2,
      instruction: { decision: 'a_completer', motif, par: 'operateur-28' },
    });
    expect(
      (await erreur(instruireFiche(deps, fiche.id, { decision: 'validee' }, normandie, undefined))).kind,
    ).toBe('conflit');

    const completee = await modifierFiche(deps, fiche.id, exemple(), 'formulaire-local', 2);
    expect(completee.statut).toBe('deposee');
    expect(
      (await erreur(instruireFiche(deps, fiche.id, { decision: 'validee' }, hautsDeFrance, 2))).kind,
    ).toBe('version_perimee');
    const validee = await instruireFiche(deps, fiche.id, { decision: 'validee' }, hautsDeFrance, 3);
    expect(validee.statut).toBe('validee');

    const lue = await lireFiche(deps, fiche.id, hautsDeFrance);
    expect(lue.historique.map((e) => [e.version, e.action, e.statut, e.auteur, e.motif])).toEqual([
      [1, 'depot', 'deposee', 'formulaire-local', undefined],
      [2, 'demande_complements', 'a_completer', 'operateur-28', motif],
      [3, 'modification', 'deposee', 'formulaire-local', undefined],
      [4, 'validation', 'validee', 'operateur-32', undefined],
    ]);
  });

  it('n’est visible que des opérateurs de sa région (403) ou nationaux', async () => {
    const deps = await monde();
    const fiche = await deposerFiche(deps, 'ti-8418', exemple(), 'formulaire-local');
    await deposerFiche(deps, 'ti-8419', exemple(), 'formulaire-local');
    expect((await lireFiche(deps, fiche.id, national)).id).toBe(fiche.id);
    expect((await erreur(lireFiche(deps, fiche.id, auvergne))).kind).toBe('interdit');
    expect((await erreur(lireFiche(deps, 'inconnue', national))).kind).toBe('introuvable');
    const page = await listerFichesDuTerritoire(deps, 'ti-8419', { limit: 10 }, auvergne);
    expect(page.items.map((f) => f.territoire)).toEqual(['ti-8419']);
    expect((await erreur(listerFichesDuTerritoire(deps, 'ti-8419', { limit: 10 }, hautsDeFrance))).kind).toBe(
      'interdit',
    );
  });
});

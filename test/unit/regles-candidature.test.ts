import type { Campagne } from '@ti/domain/campagnes/campagne';
import { verifierCandidature } from '@ti/domain/candidatures/regles';
import { CandidatureSaisie } from '@ti/domain/candidatures/schema';
import { ErreurDomaine } from '@ti/domain/commun/erreurs';
import { describe, expect, it } from 'vitest';
import { exemple as lireExemple } from '../support/exemples';

const exemple = lireExemple();
const campagne: Campagne = {
  id: 'demo',
  ouverture: '2023-06-23T00:00:00+02:00',
  cloture: '2023-09-22T00:00:00+02:00',
  avisRegional: '2023-10-13T00:00:00+02:00',
  selectionNationale: '2023-10-31T00:00:00+01:00',
  annonce: '2023-11-15T00:00:00+01:00',
  finProgramme: '2027-12-31T23:59:59+01:00',
  version: 1,
  creeeLe: '2023-06-01T00:00:00Z',
  modifieeLe: '2023-06-01T00:00:00Z',
};

/** The valid example with a change applied; parsed by the schema as the handler would. */
function saisie(modifier: (c: Record<string, any>) => void = () => {}): CandidatureSaisie {
  const copie = structuredClone(exemple);
  modifier(copie);
  return CandidatureSaisie.parse(copie);
}

function violations(c: CandidatureSaisie): string[] {
  try {
    verifierCandidature(c, campagne);
    return [];
  } catch (e) {
    if (!(e instanceof ErreurDomaine)) throw e;
    expect(e.kind).toBe('regle_metier');
    return e.violations.map((v) => v.path);
  }
}

describe('règles d’une candidature', () => {
  it('accepte l’exemple (Vallée de la Bresle – Vimeu) et en dérive la géographie', () => {
    const derive = verifierCandidature(saisie(), campagne);
    expect(derive.regions).toEqual(['28', '32']); // Normandie et Hauts-de-France
    expect(derive.departements).toEqual(['76', '80']);
    expect(derive.epcis.map((e) => e.type)).toEqual(['CC', 'CC', 'CC']);
    expect(derive.population).toBeGreaterThan(70_000);
  });

  it('refuse un SIREN absent de la géographie officielle, à sa position', () => {
    expect(violations(saisie((c) => c.perimetre.epcis.push('999999999')))).toEqual(['perimetre.epcis[3]']);
  });

  it('exige une justification pour un EPCI unique, et l’accepte avec', () => {
    const seul = (c: Record<string, any>) => {
      c.perimetre.epcis = ['200070944'];
      delete c.regionPilote;
    };
    expect(violations(saisie(seul))).toEqual(['perimetre.justificationEpciUnique']);
    expect(
      violations(
        saisie((c) => {
          seul(c);
          c.perimetre.justificationEpciUnique = 'Bassin verrier de 20 000 emplois, taille critique atteinte.';
        }),
      ),
    ).toEqual([]);
  });

  it('exige une justification quand le périmètre contient une métropole', () => {
    const avecMetropole = (c: Record<string, any>) => {
      c.perimetre.epcis = ['200093201', '200041960']; // Métropole européenne de Lille + CC Pévèle-Carembault
      c.regionPilote = '32';
    };
    expect(violations(saisie(avecMetropole))).toEqual(['perimetre.justificationMetropole']);
    expect(
      violations(
        saisie((c) => {
          avecMetropole(c);
          c.perimetre.justificationMetropole = 'Enjeux de transition de la filière textile et ferroviaire.';
        }),
      ),
    ).toEqual([]);
  });

  it('exige une région pilote parmi les régions d’un périmètre interrégional', () => {
    expect(violations(saisie((c) => delete c.regionPilote))).toEqual(['regionPilote']);
    expect(violations(saisie((c) => (c.regionPilote = '84')))).toEqual(['regionPilote']);
    expect(violations(saisie((c) => (c.regionPilote = '28')))).toEqual([]);
  });

  it('vérifie la clé du SIRET de l’industriel', () => {
    expect(violations(saisie((c) => (c.gouvernance.industriel.siret = '80214531200013')))).toEqual([
      'gouvernance.industriel.siret',
    ]);
  });

  it('exige une justification pour une gouvernance en polynôme', () => {
    const membre = {
      prenom: 'Paul',
      nom: 'Martin',
      fonction: 'Président',
      email: 'p.martin@example.fr',
      qualite: 'Président du club d’entreprises',
    };
    expect(violations(saisie((c) => (c.gouvernance.autresMembres = [membre])))).toEqual([
      'gouvernance.justificationPolynome',
    ]);
    expect(
      violations(
        saisie((c) => {
          c.gouvernance.autresMembres = [membre];
          c.gouvernance.justificationPolynome = 'Trois EPCI et deux filières : un binôme par filière.';
        }),
      ),
    ).toEqual([]);
  });

  it('refuse une échéance après la fin du programme', () => {
    expect(violations(saisie((c) => (c.planAction[1].echeance = '2028-01-01')))).toEqual([
      'planAction[1].echeance',
    ]);
  });

  it('exige au moins une lettre d’un élu et une d’un industriel', () => {
    expect(violations(saisie((c) => (c.lettresIntention = [{ signataire: 'X', qualite: 'elu' }])))).toEqual([
      'lettresIntention',
    ]);
    expect(violations(saisie((c) => (c.lettresIntention = [{ signataire: 'X', qualite: 'autre' }])))).toEqual(
      ['lettresIntention', 'lettresIntention'],
    );
  });

  it('rend toutes les violations à la fois', () => {
    const c = saisie((x) => {
      x.gouvernance.industriel.siret = '80214531200013';
      delete x.regionPilote;
    });
    expect(violations(c)).toEqual(['regionPilote', 'gouvernance.industriel.siret']);
  });
});

describe('schéma d’une candidature', () => {
  it('nomme chaque champ invalide, en français', () => {
    const r = CandidatureSaisie.safeParse(lireExemple('candidature-schema-invalide'));
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['nomTerritoire', 'planAction', 'contact.email']));
    expect(r.error?.issues.find((i) => i.path.join('.') === 'contact.email')?.message).toBe(
      'Adresse e-mail invalide',
    );
  });
  it('refuse un EPCI en double, plus de 30 actions, un champ inconnu', () => {
    expect(
      CandidatureSaisie.safeParse({ ...exemple, perimetre: { epcis: ['200070944', '200070944'] } }).success,
    ).toBe(false);
    expect(
      CandidatureSaisie.safeParse({ ...exemple, planAction: Array(31).fill(exemple.planAction[0]) }).success,
    ).toBe(false);
    expect(CandidatureSaisie.safeParse({ ...exemple, inconnu: 1 }).success).toBe(false);
  });
  it('normalise un SIRET écrit avec des espaces', () => {
    expect(saisie().gouvernance.industriel.siret).toBe('80214531200012');
  });
});

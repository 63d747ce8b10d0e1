import { centimesDepuisTexte } from '@ti/domain/commun/montants';
import { associerEntete, cleEntete } from '@ti/domain/laureats/colonnes';
import {
  type CelluleLue,
  empreinteDe,
  lireCategorie,
  lireDate,
  lireEnjeux,
  lireEntier,
  lireLigne,
  lireMontant,
  lireNaf,
  lireOuiNon,
  lireSiret,
} from '@ti/domain/laureats/ligne';
import { describe, expect, it } from 'vitest';
import { ENTETES, siretDe } from '../support/laureats-exemples';

const valeur = <T>(r: { ok: true; valeur: T } | { ok: false; motif: string }) =>
  r.ok ? r.valeur : `KO: ${r.motif}`;

describe('en-têtes', () => {
  it('reconnaît une colonne quels que soient la casse, les accents, les espaces et le suffixe d’unité', () => {
    for (const entete of [
      'Montant investissement',
      'Montant investissement (€)',
      'MONTANT INVESTISSEMENT',
      'montant_investissement',
      '  Montant   investissement  ',
      'Montant investissement en euros',
      'Montant investissement EUR',
      '\uFEFFMontant investissement',
    ]) {
      expect(cleEntete(entete), entete).toBe('montant investissement');
    }
    expect(cleEntete('Aide État (€)')).toBe(cleEntete('aide_etat'));
    expect(cleEntete('Date de décision')).toBe(cleEntete('date_decision'));
    expect(cleEntete('Intitulé du projet')).toBe(cleEntete('INTITULE PROJET'));
  });

  it('ne prend pas une colonne en k€ pour une colonne en euros', () => {
    const { manquantes } = associerEntete([
      ...ENTETES.filter((e) => e !== 'Montant investissement'),
      'Montant investissement (k€)',
    ]);
    expect(manquantes).toEqual(['Montant investissement']);
  });

  it('associe chaque champ à sa colonne, ignore les inconnues et signale les doublons', () => {
    const entete = ['', ...ENTETES, 'Commentaire', 'SIRET', ''];
    const a = associerEntete(entete);
    expect(a.manquantes).toEqual([]);
    expect(a.indices.identifiantProjet).toBe(1);
    expect(a.indices.territoireFragile).toBe(20);
    expect(a.ignorees).toEqual(['Commentaire']);
    expect(a.doublons).toEqual([{ champ: 'siret', entete: 'SIRET' }]);
  });

  it('nomme les colonnes obligatoires manquantes comme le contrat les écrit', () => {
    const a = associerEntete(['Identifiant projet', 'Raison sociale', 'Commune', 'Aide Région']);
    expect(a.manquantes).toEqual([
      'Dispositif',
      'Date de décision',
      'SIRET',
      'Intitulé du projet',
      'Code commune',
      'Montant investissement',
      'Aide État',
    ]);
  });
});

describe('montants', () => {
  it('lit toutes les écritures des fichiers en centimes entiers', () => {
    const cas: [string, number][] = [
      ['1 234 567,89', 123456789],
      ['1234567.89', 123456789],
      ['1.234.567,89', 123456789],
      ['1,234,567.89', 123456789],
      ['1\u00a0234\u00a0567,89', 123456789],
      ['1\u202f234\u202f567,89', 123456789],
      ['1 234 567,89 €', 123456789],
      ['1234567,89€', 123456789],
      ['€ 1 234 567,89', 123456789],
      ['1234567 EUR', 123456700],
      ['12,5', 1250],
      ['0', 0],
      ['0,1', 10],
      ['1.234.567', 123456700],
      ['  42  ', 4200],
    ];
    for (const [texte, centimes] of cas) expect(centimesDepuisTexte(texte), texte).toBe(centimes);
  });

  it('refuse ce qui n’est pas un montant en euros et centimes, et l’ambigu', () => {
    for (const texte of [
      '',
      'abc',
      '12,3,4',
      '1,234',
      '1.234',
      '12,345',
      '1.23.45',
      '1 234,56,7',
      '12.',
      '1,2345',
      '--5',
    ]) {
      expect(centimesDepuisTexte(texte), texte).toBeUndefined();
    }
    expect(centimesDepuisTexte('-5')).toBe(-500);
  });

  it('lit une cellule : texte, nombre XLSX (sans artefact de virgule flottante), vide', () => {
    expect(valeur(lireMontant(1234567.89, true))).toBe(123456789);
    expect(valeur(lireMontant(0.1 + 0.2, true))).toBe(30);
    expect(valeur(lireMontant(1234.5678, true))).toMatch(/au plus 2 décimales/);
    expect(valeur(lireMontant('', false))).toBe(0);
    expect(valeur(lireMontant('', true))).toBe('KO: Montant manquant');
    expect(valeur(lireMontant('-12', true))).toMatch(/négatif/);
    expect(valeur(lireMontant('1,23457E+13', true))).toMatch(/notation scientifique/);
    expect(valeur(lireMontant('n.c.', true))).toMatch(/Montant illisible « n.c. »/);
  });
});

describe('dates', () => {
  it('JJ/MM/AAAA, AAAA-MM-JJ, cellule date et numéro de série Excel', () => {
    expect(valeur(lireDate('15/03/2021'))).toBe('2021-03-15');
    expect(valeur(lireDate('5/3/2021'))).toBe('2021-03-05');
    expect(valeur(lireDate('2021-03-15'))).toBe('2021-03-15');
    expect(valeur(lireDate('2021-03-15 00:00:00'))).toBe('2021-03-15');
    expect(valeur(lireDate(new Date('2021-03-15T00:00:00Z')))).toBe('2021-03-15');
    expect(valeur(lireDate(new Date('2021-03-14T23:59:59.600Z')))).toBe('2021-03-15');
    expect(valeur(lireDate(44270))).toBe('2021-03-15');
  });

  it('refuse un jour qui n’existe pas et les autres écritures', () => {
    for (const c of ['31/02/2021', '29/02/2021', '2021-13-01', '15-03-21', 'mars 2021', '']) {
      expect(valeur(lireDate(c)), String(c)).toMatch(/^KO: Date/);
    }
    expect(valeur(lireDate('29/02/2024'))).toBe('2024-02-29');
  });
});

describe('codes et indicateurs', () => {
  it('SIRET : espaces, zéro initial perdu, clé de Luhn, exception de La Poste, notation scientifique', () => {
    const siret = siretDe('0521203420001');
    expect(siret.startsWith('0')).toBe(true);
    expect(valeur(lireSiret(siret.replace(/^(\d{3})(\d{3})(\d{3})/, '$1 $2 $3 ')))).toBe(siret);
    expect(valeur(lireSiret(siret.slice(1)))).toBe(siret);
    expect(valeur(lireSiret(Number(siret)))).toBe(siret);
    expect(valeur(lireSiret('35600000000001'))).toBe('35600000000001');
    expect(valeur(lireSiret(`${siret.slice(0, 13)}${(Number(siret[13]) + 1) % 10}`))).toMatch(
      /clé de contrôle/,
    );
    expect(valeur(lireSiret('1234'))).toMatch(/14 chiffres/);
    expect(valeur(lireSiret('1,23457E+13'))).toMatch(/notation scientifique/);
  });

  it('Oui/Non en toute casse ; vide = Non ; autre chose refusé', () => {
    expect(['Oui', 'OUI', 'oui ', 'O', 'x', 'Vrai', true].map((c) => valeur(lireOuiNon(c)))).toEqual(
      Array(7).fill(true),
    );
    expect(
      ['Non', 'NON', 'non', '', 'n', false, null].map((c) => valeur(lireOuiNon(c as CelluleLue))),
    ).toEqual(Array(7).fill(false));
    expect(valeur(lireOuiNon('peut-être'))).toMatch(/Oui ou Non attendu/);
  });

  it('enjeux TE séparés par « , » ou « | », sans accents ni casse requis, dans l’ordre du contrat et une fois', () => {
    expect(valeur(lireEnjeux('Décarbonation, Biosourcé'))).toEqual(['Biosourcé', 'Décarbonation']);
    expect(
      valeur(lireEnjeux('recyclage et economie circulaire|HYDROGÈNE ET ÉNERGIES VERTES|Décarbonation')),
    ).toEqual(['Hydrogène et énergies vertes', 'Décarbonation', 'Recyclage et économie circulaire']);
    expect(valeur(lireEnjeux('Biosourcé, biosourcé'))).toEqual(['Biosourcé']);
    expect(valeur(lireEnjeux(''))).toEqual([]);
    expect(valeur(lireEnjeux('Décarbonation, Nucléaire'))).toMatch(/Enjeu inconnu « Nucléaire »/);
  });

  it('catégorie, NAF, emplois', () => {
    expect(valeur(lireCategorie('pme'))).toBe('PME');
    expect(valeur(lireCategorie('Grande entreprise'))).toBe('GE');
    expect(valeur(lireCategorie(''))).toBeNull();
    expect(valeur(lireCategorie('Start-up'))).toMatch(/Catégorie inconnue/);
    expect(valeur(lireNaf('2562b'))).toBe('25.62B');
    expect(valeur(lireNaf('25.62B'))).toBe('25.62B');
    expect(valeur(lireNaf('256'))).toMatch(/Code NAF invalide/);
    expect(valeur(lireEntier('1 200'))).toBe(1200);
    expect(valeur(lireEntier('12,0'))).toBe(12);
    expect(valeur(lireEntier(''))).toBe(0);
    expect(valeur(lireEntier(12.5))).toMatch(/entier/);
    expect(valeur(lireEntier('-3'))).toMatch(/entier/);
  });
});

describe('une ligne', () => {
  const indices = associerEntete(ENTETES).indices;
  const cellules = (changer: Partial<Record<(typeof ENTETES)[number], CelluleLue>> = {}): CelluleLue[] => {
    const base: Record<string, CelluleLue> = {
      'Identifiant projet': ' faiit-2021-004512 ',
      Dispositif: 'Fonds d’accélération',
      'Date de décision': '15/03/2021',
      'Raison sociale': 'Forges de Bresse',
      SIRET: siretDe('5521203420001'),
      'Catégorie entreprise': 'PME',
      'Code NAF': '2562B',
      'Intitulé du projet': 'Modernisation',
      'Code commune': '1053',
      Commune: 'Bourg',
      'Code région': '',
      'Montant investissement': '1 234 567,89',
      'Aide État': '200\u00a0000',
      'Aide Région': '',
      'Emplois prévus': '12',
      Relocalisation: 'Oui',
      Formation: '',
      'Transition écologique': 'oui',
      'Enjeux TE': 'Décarbonation|Biosourcé',
      'Territoire fragile': 'NON',
      ...changer,
    };
    return ENTETES.map((e) => base[e]);
  };

  it('normalise une ligne valide : codes, région dérivée, centimes, booléens', () => {
    const lue = lireLigne(2, cellules(), indices);
    expect(lue).toEqual({
      numero: 2,
      valide: true,
      avertissements: [],
      donnees: {
        identifiantProjet: 'FAIIT-2021-004512',
        dispositif: 'Fonds d’accélération',
        dateDecision: '2021-03-15',
        raisonSociale: 'Forges de Bresse',
        siret: siretDe('5521203420001'),
        categorie: 'PME',
        codeNaf: '25.62B',
        intitule: 'Modernisation',
        codeCommune: '01053',
        codeRegion: '84',
        investissementCentimes: 123456789,
        aideEtatCentimes: 20000000,
        aideRegionCentimes: 0,
        emploisPrevus: 12,
        relocalisation: true,
        formation: false,
        transitionEcologique: true,
        enjeuxTE: ['Biosourcé', 'Décarbonation'],
        territoireFragile: false,
      },
    });
  });

  it('Corse, commune fusionnée, arrondissement, région contradictoire : codes retenus et avertissements', () => {
    const corse = lireLigne(2, cellules({ 'Code commune': '2a004', 'Code région': '94' }), indices);
    expect(corse.valide && corse.donnees.codeCommune).toBe('2A004');
    expect(corse.valide && corse.donnees.codeRegion).toBe('94');
    const fusionnee = lireLigne(3, cellules({ 'Code commune': '10016' }), indices);
    expect(fusionnee.valide && fusionnee.donnees.codeCommune).toBe('10174');
    expect(fusionnee.valide && fusionnee.avertissements[0]).toMatch(/commune fusionnée, rattachée à 10174/);
    const arrondissement = lireLigne(4, cellules({ 'Code commune': 75112 }), indices);
    expect(arrondissement.valide && arrondissement.donnees.codeCommune).toBe('75056');
    const contradiction = lireLigne(5, cellules({ 'Code commune': '59350', 'Code région': '11' }), indices);
    expect(contradiction.valide && contradiction.donnees.codeRegion).toBe('32');
    expect(contradiction.valide && contradiction.avertissements).toEqual([
      'Code région 11 contredit la commune 59350 (région 32) : 32 retenu',
    ]);
  });

  it('rejette une ligne en nommant chaque colonne fautive', () => {
    const lue = lireLigne(
      9,
      cellules({
        SIRET: `${siretDe('5521203420001').slice(0, 13)}${(Number(siretDe('5521203420001')[13]) + 1) % 10}`,
        'Code commune': '99999',
        'Date de décision': '31/02/2021',
        'Raison sociale': ' ',
      }),
      indices,
    );
    expect(lue.valide).toBe(false);
    expect(!lue.valide && lue.rejets.map((r) => r.colonne)).toEqual([
      'Date de décision',
      'Raison sociale',
      'SIRET',
      'Code commune',
    ]);
    expect(!lue.valide && lue.rejets[3]?.motif).toBe(
      'Code commune « 99999 » inconnu de la géographie officielle',
    );
  });

  it('l’empreinte ne dépend que du contenu', () => {
    const a = lireLigne(2, cellules(), indices);
    const b = lireLigne(
      7,
      cellules({ 'Montant investissement': '1234567.89', 'Date de décision': '2021-03-15' }),
      indices,
    );
    const c = lireLigne(8, cellules({ 'Emplois prévus': '13' }), indices);
    if (!a.valide || !b.valide || !c.valide) throw new Error('lignes valides attendues');
    const e = (l: typeof a) => empreinteDe({ ...l.donnees, territoires: [] });
    expect(e(a)).toBe(e(b));
    expect(e(a)).not.toBe(e(c));
    expect(empreinteDe({ ...a.donnees, territoires: ['ti-1'] })).not.toBe(e(a));
  });
});

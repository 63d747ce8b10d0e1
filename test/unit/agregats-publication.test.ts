import { readFileSync } from 'node:fs';
import { calculerAgregats, type LaureatAgrege } from '@ti/domain/agregats/calcul';
import { CLASSES_DSFR } from '@ti/platform/agregats/dsfr-classes';
import { COLONNES_CSV, csvRegions, fichiersDonneesOuvertes } from '@ti/platform/agregats/fichiers';
import { entierFr, graphiqueRegions, montantFr, pageAgregats } from '@ti/platform/agregats/page';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { deriverDsfr, fichierDsfr } from '../../scripts/build-dsfr';

const laureat = (
  id: string,
  codeRegion: string,
  investissementCentimes: number,
  aideEtatCentimes = 0,
): LaureatAgrege => ({
  identifiantProjet: id,
  codeCommune: `${codeRegion}001`,
  codeRegion,
  categorie: 'ETI',
  investissementCentimes,
  aideEtatCentimes,
  aideRegionCentimes: 0,
  emploisPrevus: 3,
  relocalisation: true,
  formation: false,
  transitionEcologique: false,
  territoireFragile: false,
  importId: 'imp-1',
});

const { agregats } = calculerAgregats({
  laureats: [
    laureat('A', '32', 150_000_025, 1_000_050),
    laureat('B', '32', 10),
    laureat('C', '28', 591_900_000_00),
    laureat('D', '94', 1),
  ],
  territoires: [],
  fiches: [],
  sources: [
    {
      importId: 'imp-1',
      fichier: 'export <script>alert(1)</script>.csv',
      ingereLe: '2021-09-24T12:00:00.000Z',
    },
  ],
});

describe('formats français', () => {
  it('integers grouped by narrow no-break spaces; amounts as the programme writes them', () => {
    expect(entierFr(27_255)).toBe('27\u202f255');
    expect(entierFr(1_416)).toBe('1\u202f416');
    expect(montantFr(5_400_000_000)).toBe('5,4\u202fMd€');
    expect(montantFr(591_900_000)).toBe('591,9\u202fM€');
    expect(montantFr(573_000_000)).toBe('573\u202fM€');
    expect(montantFr(1_234_500_000_000)).toBe('1\u202f234,5\u202fMd€');
    expect(montantFr(12_500)).toBe('12,5\u202fk€');
    expect(montantFr(950)).toBe('950\u202f€');
    expect(montantFr(950.5)).toBe('950,50\u202f€');
    expect(montantFr(0)).toBe('0\u202f€');
  });
});

describe('regions.csv', () => {
  it('UTF-8 with BOM, « ; », decimal comma, CRLF: one row per region by code, then France entière', async () => {
    const csv = await csvRegions(agregats);
    expect(csv.startsWith('\uFEFFCode région;Région;Territoires d’industrie;')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const lignes = csv.split('\r\n').filter(Boolean);
    expect(lignes).toHaveLength(1 + 3 + 1);
    const rangs = parse(csv, { delimiter: ';', bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rangs[0] as object)).toEqual(COLONNES_CSV.map((c) => c.titre));
    expect(rangs.map((r) => [r['Code région'], r.Région])).toEqual([
      ['28', 'Normandie'],
      ['32', 'Hauts-de-France'],
      ['94', 'Corse'],
      ['FR', 'France entière'],
    ]);
    expect(rangs[1]).toMatchObject({
      Lauréats: '2',
      'Investissement (€)': '1500000,35',
      'Aide État (€)': '10000,50',
      'Aide État + Région (€)': '10000,50',
      'Relocalisation : investissement (€)': '1500000,35',
      'Données au': '24/09/2021 14:00',
    });
    expect(rangs[3]?.['Investissement (€)']).toBe('593400000,36');
  });
});

describe('regions.json', () => {
  it('is the document of GET /agregats, indented', async () => {
    const fichiers = await fichiersDonneesOuvertes(agregats);
    expect(JSON.parse(fichiers['regions.json'].contenu)).toEqual(agregats);
    expect(fichiers['regions.json'].type).toBe('application/json; charset=utf-8');
  });
});

describe('index.html', () => {
  const html = pageAgregats(agregats);

  it('the same aggregates give the same bytes', async () => {
    expect(pageAgregats(structuredClone(agregats))).toBe(html);
    const a = await fichiersDonneesOuvertes(agregats);
    const b = await fichiersDonneesOuvertes(structuredClone(agregats));
    expect(a).toEqual(b);
  });

  it('shows the date, the national figures, each region in the table and the chart', () => {
    expect(html).toContain('Données au 24/09/2021 à 14:00 (heure de Paris)');
    expect(html).toContain(`<span class="ti-chiffre__valeur">4</span>`);
    expect(html).toContain(`<span class="ti-chiffre__valeur">593,4\u202fM€</span>`);
    for (const r of agregats.regions) expect(html).toContain(`<th scope="row">${r.libelle}</th>`);
    expect(html).toContain('<th scope="row">France entière</th>');
    expect(html.match(/<rect /g)).toHaveLength(2 * agregats.regions.length);
  });

  it('escapes what comes from the files it summarises', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('export &lt;script&gt;alert(1)&lt;/script&gt;.csv');
  });

  it('needs nothing else: no script, no stylesheet or image by URL, only links to its sibling files', () => {
    expect(html).not.toMatch(/<script|<link |<img |src=/);
    const liens = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(new Set(liens)).toEqual(new Set(['index.html', 'regions.csv', 'regions.json']));
    const css = /<style>([\s\S]*)<\/style>/.exec(html)?.[1] ?? '';
    expect([...css.matchAll(/url\((?!["']?data:)([^)]*)\)/g)].map((m) => m[1])).toEqual([]);
  });

  it('uses only the DSFR classes whose rules `npm run dsfr:build` kept', () => {
    const utilisees = new Set(
      [...html.matchAll(/class="([^"]*)"/g)]
        .flatMap((m) => (m[1] as string).split(/\s+/))
        .filter((c) => c.startsWith('fr-')),
    );
    expect([...utilisees].filter((c) => !(CLASSES_DSFR as readonly string[]).includes(c))).toEqual([]);
  });

  it('the chart puts the regions with most laureates first, bars in proportion', () => {
    const svg = graphiqueRegions(agregats.regions);
    const ordre = [...svg.matchAll(/text-anchor="end">([^<]+)</g)].map((m) => m[1]);
    expect(ordre).toEqual(['Hauts-de-France', 'Normandie', 'Corse']);
    const largeurs = [...svg.matchAll(/fill="#000091"/g)].length;
    expect(largeurs).toBe(3);
    expect(svg).toContain('width="250" height="18" fill="#000091"');
    expect(graphiqueRegions([])).toContain('Aucun lauréat pour l’instant');
  });
});

describe('the DSFR subset', () => {
  it('is what `npm run dsfr:build` derives from the installed @gouvfr/dsfr (run it after an upgrade)', () => {
    const stocke = JSON.parse(readFileSync(fichierDsfr, 'utf8'));
    const derive = deriverDsfr();
    expect(stocke.version).toBe(derive.version);
    expect(stocke.css === derive.css).toBe(true);
    // The subset is a fraction of the design system; the Marianne font travels with it.
    expect(derive.css.length).toBeLessThan(300 * 1024);
    expect(derive.css).toContain(
      'font-family:Marianne;font-style:normal;font-weight:700;src:url(data:font/woff2;base64,',
    );
  });
});

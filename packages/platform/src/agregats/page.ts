import type { AgregatRegion, Agregats } from '@ti/domain/agregats/schema';
import { instantFr } from '../exports/csv-francais';
import dsfr from './data/dsfr.json' with { type: 'json' };

/**
 * `agregats/index.html`: the aggregates as a person reads them, in the State's design system (DSFR,
 * its CSS subset inlined by `npm run dsfr:build`): the national figures, the date of the data, a chart
 * of the regions by laureates and investment (inline SVG: no script), the table by region, the
 * downloads. One self-contained file, a pure function of the aggregates: the same aggregates give the
 * same bytes.
 */

const ESPACE = '\u202f'; // narrow no-break space, the French thousands separator

const echapper = (texte: string) =>
  texte.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const grouper = (entier: string) => entier.replace(/\B(?=(\d{3})+(?!\d))/g, ESPACE);

/** `27255` → `27 255` */
export const entierFr = (n: number) => grouper(String(Math.trunc(n)));

/** `591.94` → `591,9`; `573.0` → `573` (one decimal at most, without a trailing `,0`). */
function uneDecimale(x: number): string {
  const [entier = '0', decimale = '0'] = x.toFixed(1).split('.');
  return decimale === '0' ? grouper(entier) : `${grouper(entier)},${decimale}`;
}

/** Euros as the programme's reports write them: `5,4 Md€`, `591,9 M€`, `12,5 k€`, `950 €`. */
export function montantFr(euros: number): string {
  if (euros >= 1e9) return `${uneDecimale(euros / 1e9)}${ESPACE}Md€`;
  if (euros >= 1e6) return `${uneDecimale(euros / 1e6)}${ESPACE}M€`;
  if (euros >= 1e4) return `${uneDecimale(euros / 1e3)}${ESPACE}k€`;
  const [entier = '0', centimes = '00'] = euros.toFixed(2).split('.');
  return `${grouper(entier)}${centimes === '00' ? '' : `,${centimes}`}${ESPACE}€`;
}

/** `2021-09-24T12:00:00.000Z` → `24/09/2021 à 14:00` (Paris time). */
const instantLisible = (iso: string) => instantFr(iso).replace(' ', ' à ');

const coordonnee = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/** Horizontal bars, one row per region (the largest first), laureates on the left, investment on the right. */
export function graphiqueRegions(regions: readonly AgregatRegion[]): string {
  const lignes = [...regions].sort(
    (a, b) =>
      b.nbLaureats - a.nbLaureats || b.investissement - a.investissement || (a.code < b.code ? -1 : 1),
  );
  const HAUT = 52;
  const PAS = 30;
  const BARRE = 18;
  const X_LAUREATS = 250;
  const X_INVESTISSEMENT = 610;
  const LONGUEUR = 250;
  const hauteur = HAUT + Math.max(lignes.length, 1) * PAS + 8;
  const maxLaureats = Math.max(1, ...lignes.map((r) => r.nbLaureats));
  const maxInvestissement = Math.max(1, ...lignes.map((r) => r.investissement));
  const barres = lignes.map((r, i) => {
    const y = HAUT + i * PAS;
    const l = (r.nbLaureats / maxLaureats) * LONGUEUR;
    const v = (r.investissement / maxInvestissement) * LONGUEUR;
    const nom = echapper(r.libelle);
    return [
      `<g class="ti-ligne"><text x="${X_LAUREATS - 12}" y="${y + 19}" text-anchor="end">${nom}</text>`,
      `<rect x="${X_LAUREATS}" y="${y + 5}" width="${coordonnee(l)}" height="${BARRE}" fill="#000091"><title>${nom} : ${entierFr(r.nbLaureats)} lauréats</title></rect>`,
      `<text x="${coordonnee(X_LAUREATS + l + 6)}" y="${y + 19}">${entierFr(r.nbLaureats)}</text>`,
      `<rect x="${X_INVESTISSEMENT}" y="${y + 5}" width="${coordonnee(v)}" height="${BARRE}" fill="#6a6af4"><title>${nom} : ${montantFr(r.investissement)} d’investissement</title></rect>`,
      `<text x="${coordonnee(X_INVESTISSEMENT + v + 6)}" y="${y + 19}">${montantFr(r.investissement)}</text></g>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="ti-graphique" viewBox="0 0 960 ${hauteur}" width="960" height="${hauteur}" role="img" aria-labelledby="ti-graphique-titre ti-graphique-desc">`,
    '<title id="ti-graphique-titre">Projets lauréats et investissement industriel soutenu, par région</title>',
    '<desc id="ti-graphique-desc">Barres horizontales, une ligne par région, de la région qui compte le plus de lauréats à celle qui en compte le moins : à gauche le nombre de projets lauréats, à droite l’investissement soutenu. Les valeurs exactes sont dans le tableau qui suit.</desc>',
    `<text class="ti-entete" x="${X_LAUREATS}" y="22">Projets lauréats</text>`,
    `<text class="ti-entete" x="${X_INVESTISSEMENT}" y="22">Investissement soutenu</text>`,
    `<line x1="${X_LAUREATS}" y1="${HAUT - 6}" x2="${X_LAUREATS}" y2="${hauteur - 4}" stroke="#929292"/>`,
    `<line x1="${X_INVESTISSEMENT}" y1="${HAUT - 6}" x2="${X_INVESTISSEMENT}" y2="${hauteur - 4}" stroke="#929292"/>`,
    ...(lignes.length === 0
      ? [`<text x="${X_LAUREATS + 12}" y="${HAUT + 19}">Aucun lauréat pour l’instant</text>`]
      : barres),
    '</svg>',
  ].join('\n');
}

const STYLE_PAGE = `
.ti-chiffres{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:1rem;list-style:none;margin:0 0 2.5rem;padding:0}
.ti-chiffre{background:var(--background-alt-blue-france);border-bottom:4px solid var(--border-plain-blue-france);padding:1rem 1.25rem}
.ti-chiffre__valeur{color:var(--text-title-blue-france);display:block;font-size:2rem;font-weight:700;line-height:2.5rem;white-space:nowrap}
.ti-chiffre__libelle{display:block;font-size:.875rem;line-height:1.375rem}
.ti-graphique{display:block;height:auto;margin:0 0 2.5rem;max-width:100%}
.ti-graphique text{fill:var(--text-default-grey);font-family:Marianne,arial,sans-serif;font-size:14px}
.ti-graphique .ti-entete{fill:var(--text-title-grey);font-size:16px;font-weight:700}
.ti-national td,.ti-national th{font-weight:700}
td.ti-nombre,th.ti-nombre{text-align:right;white-space:nowrap}
`;

function chiffreCle(valeur: string, libelle: string): string {
  return `<li class="ti-chiffre"><span class="ti-chiffre__valeur">${valeur}</span><span class="ti-chiffre__libelle">${libelle}</span></li>`;
}

function ligneTableau(r: Omit<AgregatRegion, 'code'> & { code?: string }, national = false): string {
  const cellule = (valeur: string) => `<td class="ti-nombre">${valeur}</td>`;
  return [
    `<tr${national ? ' class="ti-national"' : ''}>`,
    `<th scope="row">${echapper(r.libelle)}</th>`,
    cellule(entierFr(r.nbTerritoires)),
    cellule(entierFr(r.nbFichesAction)),
    cellule(entierFr(r.nbLaureats)),
    cellule(entierFr(r.nbLaureatsEnTerritoire)),
    cellule(montantFr(r.investissement)),
    cellule(montantFr(r.aideTotale)),
    cellule(entierFr(r.emploisPrevus)),
    '</tr>',
  ].join('');
}

function sourcesLisibles(agregats: Agregats): string {
  const n = agregats.sources.length;
  if (n === 0) return 'aucun export de lauréats ingéré pour l’instant';
  const recentes = agregats.sources
    .slice(-3)
    .reverse()
    .map((s) => `« ${echapper(s.fichier)} » (ingéré le ${instantLisible(s.ingereLe)})`);
  const autres = n > 3 ? ` et ${n - 3} export${n - 3 > 1 ? 's' : ''} antérieur${n - 3 > 1 ? 's' : ''}` : '';
  return `export${n > 1 ? 's' : ''} Bpifrance ${recentes.join(', ')}${autres}`;
}

export function pageAgregats(agregats: Agregats): string {
  const n = agregats.national;
  const date = agregats.asOf
    ? `Données au ${instantLisible(agregats.asOf)} (heure de Paris)`
    : 'Aucune donnée pour l’instant';
  const generation = agregats.generation ? ` (génération ${agregats.generation})` : '';
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Territoires d’industrie : les chiffres par région</title>
<meta name="description" content="Lauréats du fonds d’accélération des investissements industriels dans les territoires, territoires labellisés et fiches-action, par région.">
<style>${dsfr.css}${STYLE_PAGE}</style>
</head>
<body>
<header role="banner" class="fr-header">
<div class="fr-header__body"><div class="fr-container"><div class="fr-header__body-row">
<div class="fr-header__brand fr-enlarge-link">
<div class="fr-header__brand-top"><div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div></div>
<div class="fr-header__service"><a href="index.html" title="Accueil — Territoires d’industrie, chiffres par région"><p class="fr-header__service-title">Territoires d’industrie</p></a>
<p class="fr-header__service-tagline">Les chiffres du programme par région — données ouvertes</p></div>
</div>
</div></div></div>
</header>
<main id="contenu" role="main" class="fr-container fr-py-4w">
<h1 class="fr-h1 fr-mb-2w">Territoires d’industrie : les chiffres par région</h1>
<p class="fr-mb-2w"><span class="fr-badge fr-badge--info fr-badge--no-icon" id="ti-date">${date}</span></p>
<p class="fr-text--lead fr-mb-4w">Projets lauréats du fonds d’accélération des investissements industriels dans les territoires, territoires labellisés et fiches-action de leurs plans d’actions.</p>
<h2 class="fr-h2">France entière</h2>
<ul class="ti-chiffres" id="ti-national">
${chiffreCle(entierFr(n.nbTerritoires), `Territoires d’industrie${generation}`)}
${chiffreCle(entierFr(n.nbLaureats), `Projets lauréats, dont ${entierFr(n.nbLaureatsEnTerritoire)} en Territoire d’industrie`)}
${chiffreCle(montantFr(n.investissement), 'D’investissements industriels soutenus')}
${chiffreCle(montantFr(n.aideTotale), 'Engagés par l’État et les Régions')}
${chiffreCle(entierFr(n.emploisPrevus), 'Créations d’emplois prévues')}
${chiffreCle(entierFr(n.nbFichesAction), 'Fiches-action des plans d’actions')}
</ul>
<h2 class="fr-h2">Lauréats et investissement par région</h2>
${graphiqueRegions(agregats.regions)}
<h2 class="fr-h2">Le détail par région</h2>
<div class="fr-table fr-table--bordered fr-mb-4w" id="ti-tableau"><div class="fr-table__wrapper"><div class="fr-table__container"><div class="fr-table__content">
<table>
<caption>Chiffres par région${agregats.asOf ? ` au ${instantLisible(agregats.asOf)}` : ''}</caption>
<thead><tr><th scope="col">Région</th><th scope="col" class="ti-nombre">Territoires</th><th scope="col" class="ti-nombre">Fiches-action</th><th scope="col" class="ti-nombre">Lauréats</th><th scope="col" class="ti-nombre">dont en territoire</th><th scope="col" class="ti-nombre">Investissement</th><th scope="col" class="ti-nombre">État + Région</th><th scope="col" class="ti-nombre">Emplois prévus</th></tr></thead>
<tbody>
${agregats.regions.map((r) => ligneTableau(r)).join('\n')}
${ligneTableau({ ...n, libelle: 'France entière' }, true)}
</tbody>
</table>
</div></div></div></div>
<div class="fr-callout fr-mb-6w"><p class="fr-callout__text fr-text--sm">
Sources : ${sourcesLisibles(agregats)} ; registre des territoires labellisés et fiches-action du programme.
Montants en euros, sommés au centime près. Un territoire à cheval sur deux régions compte dans chacune, une seule fois pour la France entière.
Télécharger les données : <a class="fr-link" href="regions.csv">regions.csv</a> (tableur, séparateur « ; ») et <a class="fr-link" href="regions.json">regions.json</a>.
</p></div>
</main>
<footer class="fr-footer" role="contentinfo">
<div class="fr-container">
<div class="fr-footer__body">
<div class="fr-footer__brand fr-enlarge-link"><p class="fr-logo">République<br>Française</p></div>
<div class="fr-footer__content"><p class="fr-footer__content-desc">Territoires d’industrie, programme piloté par l’Agence nationale de la cohésion des territoires et la Direction générale des entreprises, avec les Régions.</p></div>
</div>
<div class="fr-footer__bottom"><div class="fr-footer__bottom-copy"><p>Données publiées sous licence Etalab 2.0.</p></div></div>
</div>
</footer>
</body>
</html>
`;
}

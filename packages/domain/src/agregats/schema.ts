import * as z from 'zod';
import { Generation } from '../territoires/schema';

/**
 * The regional aggregates (../shared/spec/aggregates.md): what the programme reports per region and
 * nationally, recomputed from the laureates, the territories and the fiches-action. Amounts are euros
 * (at most 2 decimals), summed in integer cents.
 */

const euros = z.number().meta({ description: 'Euros, au plus 2 décimales (somme calculée en centimes)' });

/** A stake's laureates: how many, what they invest, the jobs they plan. */
export const Enjeu = z
  .object({
    nb: z.number().int(),
    investissement: euros,
    emplois: z.number().int(),
  })
  .meta({ id: 'AgregatEnjeu' });
export type Enjeu = z.infer<typeof Enjeu>;

export const Agregat = z
  .object({
    nbTerritoires: z.number().int().meta({
      description:
        'Territoires labellisés touchant le périmètre (un TI sur deux régions compte dans les deux)',
    }),
    nbFichesAction: z.number().int().meta({ description: 'Fiches-action de ces territoires' }),
    nbLaureats: z.number().int().meta({ description: 'Projets lauréats situés dans le périmètre' }),
    nbLaureatsEnTerritoire: z
      .number()
      .int()
      .meta({ description: 'Dont situés dans une commune d’un territoire labellisé' }),
    investissement: euros,
    aideEtat: euros,
    aideRegion: euros,
    aideTotale: euros.meta({ description: 'aideEtat + aideRegion (« engagés par l’État et la Région »)' }),
    emploisPrevus: z.number().int(),
    parTaille: z
      .object({
        TPE: z.number().int(),
        PME: z.number().int(),
        ETI: z.number().int(),
        GE: z.number().int(),
        autre: z.number().int().meta({ description: 'Associations et catégorie non renseignée' }),
      })
      .meta({ description: 'Nombre de lauréats par taille d’entreprise' }),
    parEnjeu: z
      .object({ relocalisation: Enjeu, formation: Enjeu, transitionEcologique: Enjeu })
      .meta({ description: 'Lauréats portant chaque enjeu : nombre, investissement, emplois prévus' }),
    enTerritoireFragile: z
      .number()
      .int()
      .meta({ description: 'Lauréats en territoire fragile (QPV, AFR, ZRR, ACV)' }),
  })
  .meta({ id: 'Agregat' });
export type Agregat = z.infer<typeof Agregat>;

export const Source = z
  .object({
    importId: z.string(),
    fichier: z.string(),
    ingereLe: z.string().meta({ description: 'Fin de l’ingestion (instant ISO 8601)' }),
  })
  .meta({ id: 'SourceAgregats' });
export type Source = z.infer<typeof Source>;

const Datation = {
  asOf: z
    .string()
    .nullable()
    .meta({
      description:
        'Instant des données : le plus récent parmi la fin des imports sources et la dernière modification ' +
        'des territoires et fiches-action comptés (null sans aucune donnée)',
    }),
  sources: z.array(Source).meta({ description: 'Les imports dont proviennent les lauréats comptés' }),
};

export const AgregatRegion = Agregat.extend({
  code: z.string().meta({ description: 'Code INSEE de la région' }),
  libelle: z.string(),
}).meta({ id: 'AgregatRegion' });
export type AgregatRegion = z.infer<typeof AgregatRegion>;

/** `GET /agregats`, and `agregats/regions.json` of the open data. */
export const Agregats = z
  .object({
    ...Datation,
    generation: Generation.nullable().meta({
      description:
        'Génération des territoires comptés dans nbTerritoires, nbFichesAction et nbLaureatsEnTerritoire : ' +
        'la plus récente présente au registre',
    }),
    national: Agregat,
    regions: z.array(AgregatRegion).meta({ description: 'Une par région présente, triées par code' }),
  })
  .meta({ id: 'Agregats' });
export type Agregats = z.infer<typeof Agregats>;

/** `GET /agregats/regions/{code}` */
export const AgregatRegionDate = AgregatRegion.extend(Datation).meta({ id: 'AgregatRegionDate' });
export type AgregatRegionDate = z.infer<typeof AgregatRegionDate>;

/** `GET /agregats/territoires/{id}`: the territory's laureates are those of its communes. */
export const AgregatTerritoire = Agregat.extend({
  ...Datation,
  id: z.string(),
  nom: z.string(),
  generation: Generation,
  regions: z.array(z.string()),
}).meta({ id: 'AgregatTerritoire' });
export type AgregatTerritoire = z.infer<typeof AgregatTerritoire>;

/** The open-data files, by the name they are published under (`agregats/<fichier>`). */
export const FICHIERS_DONNEES_OUVERTES = ['regions.json', 'regions.csv', 'index.html'] as const;
export type FichierDonneesOuvertes = (typeof FICHIERS_DONNEES_OUVERTES)[number];

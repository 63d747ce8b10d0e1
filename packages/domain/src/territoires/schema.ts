import * as z from 'zod';
import { codeRegion } from '../commun/schemas';

/** The programme's generations. A territory is labelled for one of them. */
export const GENERATIONS = ['2019-2022', '2023-2027'] as const;
export const Generation = z.enum(GENERATIONS);
export type Generation = z.infer<typeof Generation>;

/** The generation whose territories submit fiches-action now. */
export const GENERATION_COURANTE: Generation = '2023-2027';

/**
 * Last day of each generation: the limit of the actions' calendars when no campaign states its own
 * `finProgramme` (territories imported from ANCT's list came from no campaign of this system).
 */
export const FIN_GENERATION: Record<Generation, string> = {
  '2019-2022': '2022-12-31',
  '2023-2027': '2027-12-31',
};

export const SourceTerritoire = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('import').meta({ description: 'Liste publiée par l’ANCT' }) }),
    z.object({
      type: z.literal('candidature'),
      candidature: z.string().meta({ description: 'La candidature labellisée dont le territoire est issu' }),
      campagne: z.string(),
    }),
  ])
  .meta({ id: 'SourceTerritoire' });
export type SourceTerritoire = z.infer<typeof SourceTerritoire>;

const EpciDuTerritoire = z.object({ siren: z.string(), nom: z.string(), type: z.string() });

/** What defines a territory; two imports of the same list give the same content. */
export const ContenuTerritoire = z.object({
  id: z.string().meta({ description: 'Identifiant ANCT (`ti-1234`) ou dérivé de la candidature labellisée' }),
  nom: z.string(),
  generation: Generation,
  epcis: z
    .array(EpciDuTerritoire)
    .meta({ description: 'EPCI à fiscalité propre des communes du territoire' }),
  communes: z
    .array(z.string())
    .meta({ description: 'Codes INSEE des communes (géographie officielle actuelle)' }),
  regions: z.array(z.string()),
  departements: z.array(z.string()),
  population: z.number().int(),
  source: SourceTerritoire,
});
export type ContenuTerritoire = z.infer<typeof ContenuTerritoire>;

/** `GET /territoires/{id}`: a labelled territory. */
export const Territoire = ContenuTerritoire.extend({
  nbCommunes: z.number().int(),
  creeLe: z.string(),
  modifieLe: z.string(),
  version: z.number().int(),
}).meta({ id: 'Territoire' });
export type Territoire = z.infer<typeof Territoire>;

/** A territory in a listing: without its communes. */
export const TerritoireResume = Territoire.omit({ communes: true }).meta({ id: 'TerritoireResume' });
export type TerritoireResume = z.infer<typeof TerritoireResume>;

export const FiltreTerritoires = z.object({
  region: codeRegion.optional(),
  generation: Generation.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2048).optional(),
});
export type FiltreTerritoires = z.infer<typeof FiltreTerritoires>;

export const PageTerritoires = z
  .object({ items: z.array(TerritoireResume), nextCursor: z.string().nullable() })
  .meta({ id: 'PageTerritoires' });

/** `POST /territoires/import?generation=`: the generation the list describes. */
export const ParametresImport = z.object({ generation: Generation });

export const RapportImportTerritoires = z
  .object({
    generation: Generation,
    lignes: z.number().int().meta({ description: 'Lignes de données lues (hors en-tête)' }),
    territoires: z.object({
      total: z.number().int(),
      crees: z.number().int(),
      modifies: z.number().int(),
      inchanges: z.number().int(),
      enConflit: z.number().int(),
    }),
    details: z.array(
      z.object({
        id: z.string(),
        nom: z.string(),
        resultat: z.enum(['cree', 'modifie', 'inchange', 'conflit']),
        communes: z.number().int(),
        epcis: z.number().int(),
        motif: z.string().optional(),
      }),
    ),
    communesInconnues: z
      .array(z.object({ ligne: z.number().int(), code: z.string(), nom: z.string(), territoire: z.string() }))
      .meta({ description: 'Communes absentes de la géographie officielle : non rattachées, signalées ici' }),
    corrections: z
      .array(
        z.object({
          ligne: z.number().int(),
          code: z.string(),
          codeRetenu: z.string(),
          motif: z.enum(['zero_initial', 'ancien_code', 'arrondissement']),
        }),
      )
      .meta({
        description: 'Codes lus autrement qu’écrits : zéro initial perdu, commune fusionnée, arrondissement',
      }),
    rejets: z.array(z.object({ ligne: z.number().int(), motif: z.string() })),
    avertissements: z.array(z.object({ ligne: z.number().int(), motif: z.string() })),
  })
  .meta({ id: 'RapportImportTerritoires' });
export type RapportImportTerritoires = z.infer<typeof RapportImportTerritoires>;

import { interdit } from './erreurs';

/** An authenticated operator: national (DGE, ANCT) or regional (one region's conseil régional or SGAR). */
export interface Operateur {
  id: string;
  role: 'national' | 'regional';
  /** INSEE region code, for a regional operator. */
  region?: string;
}

export function exigerNational(operateur: Operateur): void {
  if (operateur.role !== 'national') throw interdit('Cette action est réservée aux opérateurs nationaux');
}

/** A regional operator sees and acts on its own region only. */
export function exigerAccesRegions(operateur: Operateur, regions: readonly string[]): void {
  if (operateur.role === 'national') return;
  if (!operateur.region || !regions.includes(operateur.region)) {
    throw interdit(`Cette ressource ne relève pas de votre région (${operateur.region ?? 'aucune'})`);
  }
}

/** The region filter a listing must apply: a regional operator's own region, whatever was asked. */
export function regionVisible(operateur: Operateur, demandee: string | undefined): string | undefined {
  if (operateur.role === 'national') return demandee;
  if (demandee && demandee !== operateur.region) {
    throw interdit(`Vous ne pouvez consulter que votre région (${operateur.region})`);
  }
  return operateur.region;
}

import { readFileSync } from 'node:fs';
import { epci, nomRegion, regionDuDepartement } from '@ti/domain/geographie/officielle';
import { describe, expect, it } from 'vitest';
import { deriveGeographie } from '../../scripts/build-geographie';

const lire = (nom: string) =>
  JSON.parse(
    readFileSync(new URL(`../../packages/domain/src/geographie/data/${nom}`, import.meta.url), 'utf8'),
  );

describe('géographie officielle', () => {
  it('est à jour de @etalab/decoupage-administratif (sinon : npm run geo:build)', () => {
    const derivee = deriveGeographie();
    expect(lire('epcis.json')).toEqual(derivee.epcis);
    expect(lire('communes.json')).toEqual({ communes: derivee.communes, anciensCodes: derivee.anciensCodes });
    expect(lire('territoire.json')).toEqual({ regions: derivee.regions, departements: derivee.departements });
  });

  it('décrit un EPCI interrégional avec ses communes, départements et régions', () => {
    const aumale = epci('200069722');
    expect(aumale?.nom).toBe('CC Interrégionale Aumale - Blangy-sur-Bresle');
    expect(aumale?.departements).toEqual(['76', '80']);
    expect(aumale?.regions).toEqual(['28', '32']);
    expect(aumale?.communes.length).toBeGreaterThan(30);
  });

  it('reconnaît les métropoles et la Corse', () => {
    expect(epci('200046977')?.type).toBe('MET69');
    expect(regionDuDepartement('2A')).toBe('94');
    expect(nomRegion('32')).toBe('Hauts-de-France');
    expect(epci('123456789')).toBeUndefined();
  });
});

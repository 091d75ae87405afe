import { untpShapeProblems } from './untp-shape';

/** The required properties of the UNTP v0.6 DPP and DTE schemas (uncefact/spec-untp data-models), each missing in turn. */
describe('untpShapeProblems', () => {
  const passport = () => ({
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://test.uncefact.org/vocabulary/untp/dpp/0.6.0/',
    ],
    type: ['DigitalProductPassport', 'VerifiableCredential'],
    id: 'urn:uuid:1',
    issuer: { type: ['CredentialIssuer'], id: 'did:web:ledger.example', name: 'Ledger' },
    validFrom: '2026-11-29T00:00:00Z',
    credentialSubject: {
      product: { id: 'https://ledger.example/batches/MAG-1', name: 'magnet' },
      materialsProvenance: [{ name: 'oxide', originCountry: 'AU', massFraction: 1 }],
      emissionsScorecard: {
        carbonFootprint: 1.5,
        declaredUnit: 'KGM',
        operationalScope: 'CradleToGate',
        primarySourcedRatio: 1,
      },
      conformityClaim: [
        {
          id: 'https://ledger.example/batches/MAG-1#claim',
          conformance: true,
          conformityTopic: 'governance.compliance',
        },
      ],
    },
  });
  const events = () => ({
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://test.uncefact.org/vocabulary/untp/dte/0.6.0/',
    ],
    type: ['DigitalTraceabilityEvent', 'VerifiableCredential'],
    id: 'urn:uuid:2',
    issuer: { id: 'did:web:ledger.example', name: 'Ledger' },
    validFrom: '2026-11-29T00:00:00Z',
    credentialSubject: [
      {
        type: ['TransactionEvent', 'Event'],
        sourceParty: 'urn:a',
        destinationParty: 'urn:b',
        quantityList: [{ productId: 'https://ledger.example/batches/X', productName: 'x', quantity: 1 }],
      },
    ],
  });

  it('finds nothing missing in complete credentials', () => {
    expect(untpShapeProblems(passport())).toEqual([]);
    expect(untpShapeProblems(events())).toEqual([]);
  });

  it.each<[string, (credential: ReturnType<typeof passport>) => void]>([
    ['id', (c) => delete (c as Partial<typeof c>).id],
    ['issuer name', (c) => delete (c.issuer as { name?: string }).name],
    ['@context', (c) => (c['@context'] = ['https://www.w3.org/ns/credentials/v2'])],
    ['product name', (c) => delete (c.credentialSubject.product as { name?: string }).name],
    ['material name', (c) => delete (c.credentialSubject.materialsProvenance[0] as { name?: string }).name],
    [
      'carbonFootprint as a number',
      (c) =>
        ((c.credentialSubject.emissionsScorecard as { carbonFootprint: unknown }).carbonFootprint = '1.5'),
    ],
    [
      'operationalScope in its enumeration',
      (c) => (c.credentialSubject.emissionsScorecard.operationalScope = 'Gate'),
    ],
    [
      'claim conformance',
      (c) => delete (c.credentialSubject.conformityClaim[0] as { conformance?: boolean }).conformance,
    ],
  ])('flags a passport without %s', (_, change) => {
    const credential = passport();
    change(credential);
    expect(untpShapeProblems(credential)).not.toEqual([]);
  });

  it.each<[string, (credential: ReturnType<typeof events>) => void]>([
    ['a sourceParty', (c) => delete (c.credentialSubject[0] as { sourceParty?: string }).sourceParty],
    ['a quantity', (c) => delete (c.credentialSubject[0]!.quantityList[0] as { quantity?: number }).quantity],
  ])('flags a transaction event without %s', (_, change) => {
    const credential = events();
    change(credential);
    expect(untpShapeProblems(credential)).not.toEqual([]);
  });
});

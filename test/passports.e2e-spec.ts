import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { ADMIN_TOKEN, LedgerHarness } from './support/ledger-harness';

const CLI_MAIN = resolve(__dirname, '../dist/apps/cli/apps/cli/src/main.js');
const PUBLIC_URL = 'https://passports.tracelode.test';

type Json = Record<string, unknown>;
interface Event extends Json {
  type: string[];
  id: string;
  eventTime: string;
  bizLocation?: string;
  batchId: string;
  processType: string;
}
interface DidDocument {
  id: string;
  verificationMethod: { id: string; type: string; controller: string; publicKeyJwk: JWK }[];
  assertionMethod: string[];
}

/**
 * Product passports and traceability events (ADR 0032, docs/passports.md) over HTTP against the built
 * server, on the chain `npm run demo` seeds (mines in AU, CA and VN to magnets in JP). A buyer's system
 * checks what it is given with `jose` and the ledger's DID document alone: the only ledger calls in the
 * checks are did.json and the status list.
 */
describe('product passports as verifiable credentials', () => {
  let ledger: LedgerHarness;
  const keys: Record<string, string> = {};
  let magnets: string;
  let head = '0';

  const get = <T = Json>(path: string, who: string) =>
    ledger.get<T>(`${path}${path.includes('?') ? '&' : '?'}minPosition=${head}`, keys[who] ?? who);
  const post = async (path: string, who: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, keys[who] ?? who, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    head = reply.body.position;
    return reply.body;
  };
  /** A URL the credentials name, fetched where the test's ledger listens (it is published as PUBLIC_URL). */
  const fetchPublished = async <T>(url: string): Promise<T> => {
    expect(url.startsWith(PUBLIC_URL)).toBe(true);
    const response = await fetch(`${ledger.baseUrl}${url.slice(PUBLIC_URL.length)}`);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };

  /** What a buyer's system does, offline but for did.json: the JWS of an enveloped credential, verified. */
  const verifyOffline = async (enveloped: Json, did: DidDocument) => {
    expect(enveloped.type).toBe('EnvelopedVerifiableCredential');
    const prefix = 'data:application/vc-ld+jwt,';
    expect(String(enveloped.id).startsWith(prefix)).toBe(true);
    const jws = String(enveloped.id).slice(prefix.length);
    const header = decodeProtectedHeader(jws);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'vc-ld+jwt' });
    expect(did.assertionMethod).toContain(header.kid);
    const method = did.verificationMethod.find((candidate) => candidate.id === header.kid)!;
    const { payload } = await compactVerify(jws, await importJWK(method.publicKeyJwk, 'EdDSA'), {
      algorithms: ['EdDSA'],
    });
    const credential = JSON.parse(new TextDecoder().decode(payload)) as Json & {
      issuer: { id: string };
      credentialStatus: { statusListIndex: string; statusListCredential: string; statusPurpose: string };
    };
    expect(credential.issuer.id).toBe(did.id);
    return { jws, credential };
  };

  /** The credential's revocation bit, from the signed status list verified against the DID key. */
  const revoked = async (
    credential: { credentialStatus: { statusListIndex: string; statusListCredential: string } },
    did: DidDocument,
  ) => {
    // The views have caught up with the test's last write (a buyer reads whenever it reads).
    expect((await get(`/batches/${magnets}`, 'auditor')).status).toBe(200);
    const enveloped = await fetchPublished<Json>(credential.credentialStatus.statusListCredential);
    const { credential: list } = await verifyOffline(enveloped, did);
    const subject = list.credentialSubject as { type: string; statusPurpose: string; encodedList: string };
    expect(list.type).toEqual(['VerifiableCredential', 'BitstringStatusListCredential']);
    expect(subject).toMatchObject({ type: 'BitstringStatusList', statusPurpose: 'revocation' });
    expect(subject.encodedList.startsWith('u')).toBe(true);
    const bits = gunzipSync(Buffer.from(subject.encodedList.slice(1), 'base64url'));
    expect(bits.length).toBeGreaterThanOrEqual(16_384);
    const index = Number(credential.credentialStatus.statusListIndex);
    return (bits[index >> 3]! & (0x80 >> (index & 7))) !== 0;
  };

  let did: DidDocument;

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ TRACELODE_PUBLIC_URL: PUBLIC_URL });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI_MAIN, 'demo', '--url', ledger.baseUrl, '--admin-token', ADMIN_TOKEN],
      { env: process.env },
    );
    magnets = /"magnets": "([^"]+)"/.exec(stdout)![1]!;
    const key = (label: string) => new RegExp(`${label}\\s+(tl_\\S+)`).exec(stdout)![1]!;
    keys.maker = key('producer  \\(magnet maker\\)');
    keys.miner = key('producer  \\(Mount Weld\\)');
    keys.certifier = key('certifier');
    keys.auditor = key('auditor');
    keys.stranger = await ledger.organisation('passport-stranger', 'US', ['producer']);
    keys.regulatorJp = await ledger.organisation('meti-passports', 'JP', ['regulator']);
    head = String(await ledger.eventCount());
    did = await fetchPublished<DidDocument>(`${PUBLIC_URL}/.well-known/did.json`);
  }, 180_000);
  afterAll(() => ledger.stop());

  it('publishes a did:web DID document of TRACELODE_PUBLIC_URL with the checkpoint key', async () => {
    expect(did.id).toBe('did:web:passports.tracelode.test');
    const publicKey = await ledger.request<{ jwk: JWK }>('GET', '/log/public-key');
    expect(did.verificationMethod).toEqual([
      {
        id: 'did:web:passports.tracelode.test#ledger-key',
        type: 'JsonWebKey',
        controller: did.id,
        publicKeyJwk: { kty: 'OKP', crv: 'Ed25519', x: publicKey.body.jwk.x },
      },
    ]);
  });

  it('gives the demo magnets a passport whose origins, carbon and certification are the views’', async () => {
    const passport = await get<Json>(`/batches/${magnets}/passport?format=json`, 'maker');
    expect(passport.status).toBe(200);
    const subject = passport.body.credentialSubject as Json & {
      product: Json;
      materialsProvenance: { originCountry: string; massFraction: number; recycledMassFraction: number }[];
      emissionsScorecard: Json;
      conformityClaim: Json[];
      traceabilityInformation: { traceabilityEvent: { linkURL: string }[] }[];
    };
    const provenance = await get<{ origins: { country: string; massFraction: number }[] }>(
      `/batches/${magnets}/provenance`,
      'maker',
    );
    const byCountry = new Map<string, number>();
    for (const origin of provenance.body.origins)
      byCountry.set(origin.country, (byCountry.get(origin.country) ?? 0) + origin.massFraction);
    expect(
      subject.materialsProvenance.map((material) => [material.originCountry, material.massFraction]),
    ).toEqual([...byCountry.entries()].sort(([a], [b]) => a.localeCompare(b)));
    expect(subject.materialsProvenance.map((material) => material.originCountry)).toEqual(['AU', 'CA', 'VN']);
    // The demo's chain has no recycling step.
    expect(subject.materialsProvenance.every((material) => material.recycledMassFraction === 0)).toBe(true);

    const carbon = await get<Json>(`/batches/${magnets}/carbon`, 'maker');
    const footprint = await get<{ id: string; pcf: Json }>(`/batches/${magnets}/footprint`, 'maker');
    expect(subject.emissionsScorecard).toMatchObject({
      carbonFootprint: carbon.body.intensityKgCo2ePerKg,
      declaredUnit: 'KGM',
      operationalScope: 'CradleToGate',
      primarySourcedRatio: carbon.body.primaryDataShare,
      pactFootprintId: `urn:uuid:${footprint.body.id}`,
    });
    expect(subject.emissionsScorecard.carbonFootprint).toBe(
      Number(footprint.body.pcf.pcfExcludingBiogenicUptake),
    );

    const certification = await get<{ schemes: Json[] }>(`/batches/${magnets}/certification`, 'maker');
    expect(subject.conformityClaim).toHaveLength(certification.body.schemes.length);
    for (const [i, scheme] of certification.body.schemes.entries()) {
      expect(subject.conformityClaim[i]).toMatchObject({
        referenceStandard: { name: scheme.scheme },
        chainOfCustodyModel: scheme.chainOfCustodyModel,
        certifiedShare: scheme.certifiedShare,
        chainCovered: scheme.chainCovered,
      });
      expect(subject.conformityClaim[i]!.gaps).toHaveLength((scheme.gaps as unknown[]).length);
    }
    expect(subject.product).toMatchObject({
      registeredId: magnets,
      batchNumber: magnets,
      countryOfProduction: 'JP',
    });
    const links = [
      ...(subject.product.furtherInformation as { linkURL: string }[]).map((link) => link.linkURL),
      ...subject.traceabilityInformation.flatMap((entry) =>
        entry.traceabilityEvent.map((link) => link.linkURL),
      ),
    ];
    expect(links).toEqual(
      expect.arrayContaining([
        `${PUBLIC_URL}/batches/${magnets}/traceability-events`,
        `${PUBLIC_URL}/batches/${magnets}/audit-bundle`,
      ]),
    );
  });

  /**
   * Every property the UNTP v0.6 schemas require, with its type: data-models/untp-dpp/artefacts/
   * DigitalProductPassport-schema.json (uncefact/spec-untp, 0.6.x: `required` of the credential and of
   * CredentialIssuer, Product, Material, EmissionsPerformance, Claim, Standard, Metric, Measure) and
   * data-models/untp-dte/artefacts/DigitalTraceabilityEvent-schema.json (the credential, CredentialIssuer,
   * TransactionEvent, QuantityElement). Checked here in code of our own; the schemas are not copied.
   */
  describe('the UNTP v0.6 schemas’ required properties', () => {
    const isUri = (value: unknown) => typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\S+$/i.test(value);
    const isString = (value: unknown) => typeof value === 'string' && value !== '';
    const isNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value);
    const credentialRequired = (credential: Json, context: string, type: string) => {
      // DPP and DTE schemas: required ["@context", "id", "issuer"]; @context prefixItems; type contains.
      expect((credential['@context'] as string[]).slice(0, 2)).toEqual([
        'https://www.w3.org/ns/credentials/v2',
        context,
      ]);
      expect(isUri(credential.id)).toBe(true);
      expect(credential.type).toEqual(expect.arrayContaining([type, 'VerifiableCredential']));
      // CredentialIssuer: required ["id", "name"], id a DID.
      const issuer = credential.issuer as Json;
      expect(String(issuer.id)).toMatch(/^did:web:/);
      expect(isString(issuer.name)).toBe(true);
      // VC Data Model 2.0 §4.9: validFrom an XML Schema dateTimeStamp.
      expect(String(credential.validFrom)).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/,
      );
    };

    it('DigitalProductPassport', async () => {
      const { body } = await get<Json>(`/batches/${magnets}/passport?format=json`, 'maker');
      credentialRequired(
        body,
        'https://test.uncefact.org/vocabulary/untp/dpp/0.6.0/',
        'DigitalProductPassport',
      );
      const subject = body.credentialSubject as Json;
      expect(subject.type).toContain('ProductPassport');
      expect(['item', 'batch', 'model']).toContain(subject.granularityLevel);
      // Product: required ["id", "name"].
      const product = subject.product as Json;
      expect(isUri(product.id) && isString(product.name)).toBe(true);
      // producedByParty / producedAtFacility: required ["id", "name"].
      for (const party of [product.producedByParty, product.producedAtFacility] as Json[])
        expect(isUri(party.id) && isString(party.name)).toBe(true);
      // Material: required ["name"]; massFraction and recycledMassFraction numbers.
      for (const material of subject.materialsProvenance as Json[]) {
        expect(isString(material.name) && isString(material.originCountry)).toBe(true);
        expect(isNumber(material.massFraction) && isNumber(material.recycledMassFraction)).toBe(true);
      }
      // EmissionsPerformance: required ["carbonFootprint", "declaredUnit", "operationalScope", "primarySourcedRatio"].
      const emissions = subject.emissionsScorecard as Json;
      expect(isNumber(emissions.carbonFootprint) && isString(emissions.declaredUnit)).toBe(true);
      expect(['None', 'CradleToGate', 'CradleToGrave']).toContain(emissions.operationalScope);
      expect(isNumber(emissions.primarySourcedRatio)).toBe(true);
      // Claim: required ["id", "conformance", "conformityTopic"]; Standard: required ["issuingParty"] ({id, name});
      // Metric: required ["metricName", "metricValue"]; Measure: required ["value", "unit"].
      const claims = subject.conformityClaim as Json[];
      expect(claims.length).toBeGreaterThan(0);
      for (const claim of claims) {
        expect(isUri(claim.id) && typeof claim.conformance === 'boolean').toBe(true);
        expect(claim.conformityTopic).toBe('governance.compliance');
        const issuingParty = (claim.referenceStandard as Json).issuingParty as Json;
        expect(isUri(issuingParty.id) && isString(issuingParty.name)).toBe(true);
        for (const metric of claim.declaredValue as Json[]) {
          const measure = metric.metricValue as Json;
          expect(isString(metric.metricName) && isNumber(measure.value) && isString(measure.unit)).toBe(true);
        }
      }
    });

    it('DigitalTraceabilityEvent: object, transaction and transformation events, each with time and location', async () => {
      const { body } = await get<Json>(`/batches/${magnets}/traceability-events?format=json`, 'auditor');
      credentialRequired(
        body,
        'https://test.uncefact.org/vocabulary/untp/dte/0.6.0/',
        'DigitalTraceabilityEvent',
      );
      const events = body.credentialSubject as Event[];
      const kinds = new Set(events.map((event) => event.type[0]));
      expect([...kinds].sort()).toEqual(['ObjectEvent', 'TransactionEvent', 'TransformationEvent']);
      for (const event of events) {
        expect(event.type).toContain('Event');
        expect(isUri(event.id)).toBe(true);
        expect(event.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
        expect(isUri(event.bizLocation)).toBe(true);
        expect(['observe', 'add', 'delete']).toContain(event.action);
        // TransactionEvent: required ["sourceParty", "destinationParty"].
        if (event.type[0] === 'TransactionEvent')
          expect(isString(event.sourceParty) && isString(event.destinationParty)).toBe(true);
        // QuantityElement: required ["productId", "productName", "quantity"].
        for (const list of ['quantityList', 'inputQuantityList', 'outputQuantityList'])
          for (const quantity of (event[list] ?? []) as Json[])
            expect(
              isUri(quantity.productId) && isString(quantity.productName) && isNumber(quantity.quantity),
            ).toBe(true);
      }
      // The magnets' own making is the last event, from the alloy it consumed.
      const sintering = events.at(-1)!;
      expect(sintering).toMatchObject({
        type: ['TransformationEvent', 'Event'],
        batchId: magnets,
        processType: 'sintering',
      });
    });
  });

  it('signs both as VC-JOSE-COSE that a buyer verifies with the DID key alone, and that fail once a byte changes', async () => {
    for (const route of ['passport', 'traceability-events']) {
      const reply = await get<Json>(`/batches/${magnets}/${route}`, 'maker');
      expect(reply.status).toBe(200);
      const { jws, credential } = await verifyOffline(reply.body, did);
      const readable = await get<Json>(`/batches/${magnets}/${route}?format=json`, 'maker');
      expect(credential.credentialSubject).toEqual(readable.body.credentialSubject);
      // The same content for the same reader keeps its status entry.
      expect(credential.credentialStatus).toEqual(readable.body.credentialStatus);
      expect(await revoked(credential, did)).toBe(false);

      const [header, payload, signature] = jws.split('.') as [string, string, string];
      const bytes = Buffer.from(payload, 'base64url');
      for (const at of [0, Math.floor(bytes.length / 2), bytes.length - 1]) {
        const changed = Buffer.from(bytes);
        changed[at] = changed[at]! ^ 0x01;
        const tampered = `${header}.${changed.toString('base64url')}.${signature}`;
        await expect(
          verifyOffline(
            { type: 'EnvelopedVerifiableCredential', id: `data:application/vc-ld+jwt,${tampered}` },
            did,
          ),
        ).rejects.toThrow();
      }
    }
  });

  it('answers a stranger 404 as for a lot that does not exist, and bad formats 400', async () => {
    for (const route of ['passport', 'traceability-events']) {
      const stranger = await get<Json>(`/batches/${magnets}/${route}`, 'stranger');
      const missing = await get<Json>(`/batches/NO-SUCH-LOT/${route}`, 'stranger');
      expect(stranger.status).toBe(404);
      expect(stranger.body.code).toBe('BATCH_NOT_FOUND');
      expect({ ...stranger.body, detail: undefined, instance: undefined }).toEqual({
        ...missing.body,
        detail: undefined,
        instance: undefined,
      });
      const bad = await get<Json>(`/batches/${magnets}/${route}?format=xml`, 'maker');
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('INVALID_CREDENTIAL_FORMAT');
    }
    expect((await ledger.request('GET', `/batches/${magnets}/passport`)).status).toBe(401);
  });

  it('gives a downstream buyer no value "Who sees what" withholds from it', async () => {
    const full = await get<Json>(`/batches/${magnets}/traceability-events?format=json`, 'auditor');
    const chain = [...new Set((full.body.credentialSubject as Event[]).map((event) => event.batchId))];
    const values = (events: { data: Json }[]) =>
      events
        .flatMap(({ data }) => [
          ...[
            'shipmentId',
            'fromOrgId',
            'toOrgId',
            'orgId',
            'byOrgId',
            'consignee',
            'lab',
            'authorityOrgId',
          ].map((field) => data[field]),
          ...((data.documents as { number: string }[] | undefined) ?? []).map((document) => document.number),
        ])
        .filter((value): value is string => typeof value === 'string');
    const hidden = new Set<string>();
    for (const batchId of chain) {
      const everything = await get<{ data: Json }[]>(`/batches/${batchId}/events`, 'auditor');
      const shown = await get<{ data: Json }[]>(`/batches/${batchId}/events`, 'maker');
      const visible = new Set(values(shown.status === 200 ? shown.body : []));
      for (const value of values(everything.body)) if (!visible.has(value)) hidden.add(value);
    }
    // What its other views show it is not withheld (a certifier's name, public with its certificates).
    const views = await Promise.all(
      ['', '/provenance', '/carbon', '/certification'].map((view) =>
        get(`/batches/${magnets}${view}`, 'maker'),
      ),
    );
    const shownElsewhere = JSON.stringify(views.map((view) => view.body));
    for (const value of hidden) if (shownElsewhere.includes(value)) hidden.delete(value);
    // The trader who sold the oxide, its shipments and bills of lading, at least.
    expect(hidden.size).toBeGreaterThan(3);
    const passport = JSON.stringify((await get(`/batches/${magnets}/passport?format=json`, 'maker')).body);
    const events = JSON.stringify(
      (await get(`/batches/${magnets}/traceability-events?format=json`, 'maker')).body,
    );
    for (const value of hidden) {
      expect(passport).not.toContain(value);
      expect(events).not.toContain(value);
    }
    const auditors = JSON.stringify(full.body);
    expect([...hidden].some((value) => auditors.includes(value))).toBe(true);
  });

  it('flips a passport’s status bit on a hold, a revoked certificate it rested on, and a correction of an event it was built from', async () => {
    const issue = async () => {
      const { credential } = await verifyOffline(
        (await get<Json>(`/batches/${magnets}/passport`, 'maker')).body,
        did,
      );
      return credential;
    };

    // A hold on the lot: the passport issued before it is revoked; a new one while held is no better.
    const beforeHold = await issue();
    expect(await revoked(beforeHold, did)).toBe(false);
    await post(`/batches/${magnets}/holds`, 'regulatorJp', {
      reason: 'Passport test hold',
      occurredAt: new Date().toISOString(),
    });
    expect(await revoked(beforeHold, did)).toBe(true);
    expect(await revoked(await issue(), did)).toBe(true);
    await post(`/batches/${magnets}/releases`, 'regulatorJp', {
      reason: 'Cleared',
      occurredAt: new Date().toISOString(),
    });
    expect(await revoked(beforeHold, did)).toBe(true); // revocation is final
    const afterRelease = await issue();
    expect(afterRelease.credentialStatus.statusListIndex).not.toBe(
      beforeHold.credentialStatus.statusListIndex,
    );
    expect(await revoked(afterRelease, did)).toBe(false);

    // A certificate its conformity claim rested on is revoked.
    const claims = (afterRelease.credentialSubject as { conformityClaim: { certificates: string[] }[] })
      .conformityClaim;
    const certificateId = claims[0]!.certificates[0]!;
    await post(`/certificates/${certificateId}/revocations`, 'certifier', {
      reason: 'Audit failed',
      occurredAt: new Date().toISOString(),
    });
    expect(await revoked(afterRelease, did)).toBe(true);
    const afterRevocation = await issue();
    expect(await revoked(afterRevocation, did)).toBe(false);

    // An event of its chain is corrected: the Mount Weld lot's extraction emissions.
    const events = (await get<Json>(`/batches/${magnets}/traceability-events?format=json`, 'maker')).body
      .credentialSubject as Event[];
    const mined = events.find(
      (event) => event.processType === 'mining' && event.batchId.startsWith('MW-CONC-001'),
    )!;
    await post(`/events/${mined.id.replace('urn:uuid:', '')}/corrections`, 'miner', {
      correctionId: 'CORR-PASSPORT-1',
      reason: 'Emissions re-measured',
      changes: { extractionEmissionsKgCo2e: 9000 },
    });
    expect(await revoked(afterRevocation, did)).toBe(true);
    const corrected = await issue();
    expect(await revoked(corrected, did)).toBe(false);
    const carbon = await get<Json>(`/batches/${magnets}/carbon`, 'maker');
    expect(
      (corrected.credentialSubject as { emissionsScorecard: Json }).emissionsScorecard.carbonFootprint,
    ).toBe(carbon.body.intensityKgCo2ePerKg);
    expect(
      (afterRevocation.credentialSubject as { emissionsScorecard: Json }).emissionsScorecard.carbonFootprint,
    ).not.toBe(carbon.body.intensityKgCo2ePerKg);
  });

  it('tracelode verify-credential checks a passport offline against the DID document and the status list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracelode-passport-'));
    const file = (name: string, value: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
      return path;
    };
    const cli = async (args: string[]) => {
      try {
        const { stdout } = await promisify(execFile)(process.execPath, [
          CLI_MAIN,
          'verify-credential',
          ...args,
        ]);
        return { code: 0, stdout };
      } catch (error) {
        const failed = error as { code?: number; stdout?: string; stderr?: string };
        return { code: failed.code ?? -1, stdout: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
      }
    };
    try {
      const didFile = file('did.json', did);
      const passport = (await get<Json>(`/batches/${magnets}/passport`, 'maker')).body;
      const passportFile = file('passport.json', passport);
      const list = async () => {
        expect((await get(`/batches/${magnets}`, 'auditor')).status).toBe(200);
        return file('status.json', await fetchPublished(`${PUBLIC_URL}/credentials/status/1`));
      };
      const verified = await cli([passportFile, '--did-document', didFile, '--status-list', await list()]);
      expect(verified.code).toBe(0);
      expect(verified.stdout).toContain('signature: EdDSA');
      expect(verified.stdout).toContain('every required property of DigitalProductPassport');
      expect(verified.stdout).toMatch(/origins by mass: AU [\d.]+%, CA [\d.]+%, VN [\d.]+%/);
      expect(verified.stdout.trim().split('\n').at(-1)).toBe('VERIFIED');

      const events = (await get<Json>(`/batches/${magnets}/traceability-events`, 'maker')).body;
      const dte = await cli([file('events.json', events), '--did-document', didFile]);
      expect(dte.code).toBe(0);
      expect(dte.stdout).toMatch(/\d+ traceability events/);

      const jws = String(passport.id).slice('data:application/vc-ld+jwt,'.length);
      const [header, payload, signature] = jws.split('.') as [string, string, string];
      const changed = Buffer.from(payload, 'base64url');
      changed[20] = changed[20]! ^ 0x01;
      const tampered = await cli([
        file('tampered.jwt', `${header}.${changed.toString('base64url')}.${signature}`),
        '--did-document',
        didFile,
      ]);
      expect(tampered.code).toBe(1);
      expect(tampered.stdout).toContain('FAILED');

      await post(`/batches/${magnets}/holds`, 'regulatorJp', {
        reason: 'Second hold',
        occurredAt: new Date().toISOString(),
      });
      const held = await cli([passportFile, '--did-document', didFile, '--status-list', await list()]);
      expect(held.code).toBe(1);
      expect(held.stdout).toMatch(
        /^REVOKED: bit \d+ of https:\/\/passports\.tracelode\.test\/credentials\/status\/1 is set/m,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts the mass that passed through a recycling step as recycled, per origin country', async () => {
    keys.recycler = await ledger.organisation(
      'recycler-co',
      'AU',
      ['producer'],
      [
        { facilityId: 'pit', kind: 'mine' },
        { facilityId: 'plant', kind: 'processing_plant' },
      ],
    );
    const mined = (batchId: string, day: number) =>
      post('/batches/mined', 'recycler', {
        batchId,
        facilityId: 'pit',
        material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
        massKg: 1000,
        extractionEmissionsKgCo2e: 100,
        occurredAt: `2026-03-0${day}T00:00:00Z`,
      });
    const toPlant = async (batchId: string, day: number) => {
      await post(`/batches/${batchId}/shipments`, 'recycler', {
        shipmentId: `S-${batchId}`,
        toOrgId: 'recycler-co',
        toFacilityId: 'plant',
        occurredAt: `2026-03-0${day}T06:00:00Z`,
      });
      await post(`/batches/${batchId}/receipts`, 'recycler', {
        shipmentId: `S-${batchId}`,
        receivedMassKg: 1000,
        occurredAt: `2026-03-0${day}T12:00:00Z`,
      });
    };
    await mined('VIRGIN-1', 1);
    await mined('SCRAP-SOURCE-1', 1);
    await toPlant('VIRGIN-1', 2);
    await toPlant('SCRAP-SOURCE-1', 2);
    const transform = (
      transformationId: string,
      process: string,
      inputs: unknown[],
      output: string,
      massKg: number,
      day: number,
    ) =>
      post('/transformations', 'recycler', {
        transformationId,
        facilityId: 'plant',
        process,
        occurredAt: `2026-03-0${day}T00:00:00Z`,
        inputs,
        outputs: [{ batchId: output, material: { form: 'oxide', elements: ['Nd', 'Pr'] }, massKg }],
        processEmissionsKgCo2e: 10,
      });
    await transform(
      'T-RECYCLE',
      'recycling',
      [{ batchId: 'SCRAP-SOURCE-1', consumedKg: 1000 }],
      'RECYCLED-1',
      800,
      3,
    );
    await transform(
      'T-MIX',
      'calcination',
      [
        { batchId: 'VIRGIN-1', consumedKg: 600 },
        { batchId: 'RECYCLED-1', consumedKg: 400 },
      ],
      'MIXED-1',
      900,
      4,
    );

    const passport = await get<{ credentialSubject: Json & { materialsProvenance: Json[] } }>(
      '/batches/MIXED-1/passport?format=json',
      'recycler',
    );
    expect(passport.status).toBe(200);
    const subject = passport.body.credentialSubject;
    // Both mines are in AU: one origin country, 0.6 virgin and 0.4 through the recycling step.
    expect(subject.materialsProvenance).toHaveLength(1);
    expect(subject.materialsProvenance[0]!.massFraction).toBeCloseTo(1, 12);
    expect(subject.materialsProvenance[0]!.recycledMassFraction).toBeCloseTo(0.4, 12);
    expect((subject.circularityScorecard as Json).recycledContent).toBeCloseTo(0.4, 12);
    const recycled = await get<{ credentialSubject: Json & { materialsProvenance: Json[] } }>(
      '/batches/RECYCLED-1/passport?format=json',
      'recycler',
    );
    expect(recycled.body.credentialSubject.materialsProvenance[0]!.recycledMassFraction).toBe(1);
  });

  it('runs the README’s "Product passports" example as written', async () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const block = /<!-- passports:start -->\s*```bash\n([\s\S]*?)```\s*<!-- passports:end -->/.exec(
      readme,
    )?.[1];
    expect(block).toBeDefined();
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', block ?? ''], {
      env: { ...process.env, TRACELODE_URL: ledger.baseUrl, TRACELODE_ADMIN_TOKEN: ADMIN_TOKEN },
      cwd: join(__dirname, '..'),
    });
    const lines = stdout.trim().split('\n');
    const readable = JSON.parse(lines.find((line) => line.startsWith('{"@context"'))!) as Json & {
      credentialSubject: {
        materialsProvenance: { originCountry: string }[];
        emissionsScorecard: { carbonFootprint: number };
      };
    };
    expect(readable.type).toEqual(['DigitalProductPassport', 'VerifiableCredential']);
    expect(readable.credentialSubject.materialsProvenance.map((material) => material.originCountry)).toEqual([
      'AU',
      'CA',
      'VN',
    ]);
    expect(readable.credentialSubject.emissionsScorecard.carbonFootprint).toBeCloseTo(18.75, 2);
    expect(lines.filter((line) => line === 'VERIFIED')).toHaveLength(2);
    expect(stdout).toContain('status: bit');
  }, 120_000);
});

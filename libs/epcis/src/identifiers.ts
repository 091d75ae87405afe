import { gs1CheckDigit, isGln } from '@tracelode/domain';

/** GS1's canonical Digital Link resolver: the only host whose GLN URIs the ledger reads as GLNs. */
export const GS1_DIGITAL_LINK = 'https://id.gs1.org';

/**
 * The GLNs organisations and facilities were given (ADR 0031), as the views hold them. A GLN is given once
 * and never changed, so a lagging directory can only miss one, never name the wrong holder.
 */
export interface GlnDirectory {
  /** The GLN of the organisation, or of its facility `facilityId`, when it has one. */
  glnOf(orgId: string, facilityId?: string): string | undefined;
  /** Who holds the GLN: an organisation, or one of its facilities. */
  holderOf(gln: string): { orgId: string; facilityId?: string } | undefined;
}

/** What a URI says of a GLN, when it names one: a location (AI 414) or a party (AI 417). */
export interface GlnReference {
  readonly kind: 'location' | 'party';
  readonly gln: string;
}

/**
 * The GLN a GS1 Digital Link URI (`https://id.gs1.org/414/{gln}`, `/417/{gln}`) or an EPC URN
 * (`urn:epc:id:sgln:{company}.{location}.0`, `urn:epc:id:pgln:{company}.{party}`, GS1 Tag Data Standard)
 * names; undefined for any other URI. A sub-location (a GLN extension: `/254/…`, an SGLN extension other
 * than `0`) names no facility of the ledger, so it is not read as one. The GLN's check digit is not
 * checked here: a wrong one is held by nobody.
 */
export function glnReferenceOf(uri: string): GlnReference | undefined {
  const link = /^https:\/\/id\.gs1\.org\/(414|417)\/(\d{13})$/.exec(uri);
  if (link) return { kind: link[1] === '414' ? 'location' : 'party', gln: link[2]! };
  const urn = /^urn:epc:id:(sgln|pgln):(\d{6,12})\.(\d{0,6})(?:\.(.+))?$/.exec(uri);
  if (!urn) return undefined;
  const [, scheme, company, reference, extension] = urn;
  const digits = `${company}${reference}`;
  if (digits.length !== 12) return undefined;
  if (scheme === 'sgln' ? extension !== '0' : extension !== undefined) return undefined;
  return { kind: scheme === 'sgln' ? 'location' : 'party', gln: `${digits}${gs1CheckDigit(digits)}` };
}

/**
 * The URIs the ledger names its things by in EPCIS (docs/epcis.md, ADR 0031): every one under the ledger's
 * base URL (TRACELODE_PUBLIC_URL), so a reader can dereference it, and parsed back on capture; except that
 * an organisation or facility given a GS1 GLN is named by its GS1 Digital Link (`https://id.gs1.org/417/…`
 * for a party, `/414/…` for a location), read back through the directory. A URI under another base, or of
 * another shape, names nothing the ledger knows.
 */
export class EpcisIds {
  /** The base URL without a trailing slash, e.g. `https://ledger.example.org`. */
  readonly base: string;

  constructor(
    baseUrl: string,
    private readonly glns?: GlnDirectory,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  /** The same ledger's identifiers, reading GLNs from `glns`. */
  withGlns(glns: GlnDirectory): EpcisIds {
    return new EpcisIds(this.base, glns);
  }

  /** The namespace of the ledger's own EPCIS vocabulary (extension fields, analytes): prefix `tl:`. */
  get vocabulary(): string {
    return `${this.base}/epcis/vocab/`;
  }

  /** A lot is a class-level identifier (`epcClass`): its quantity is counted in kilograms, not instances. */
  batch = (batchId: string) => `${this.base}/batches/${seg(batchId)}`;
  organisation = (orgId: string) => {
    const gln = this.glns?.glnOf(orgId);
    return gln !== undefined ? `${GS1_DIGITAL_LINK}/417/${gln}` : `${this.base}/orgs/${seg(orgId)}`;
  };
  facility = (orgId: string, facilityId: string) => {
    const gln = this.glns?.glnOf(orgId, facilityId);
    return gln !== undefined
      ? `${GS1_DIGITAL_LINK}/414/${gln}`
      : `${this.base}/orgs/${seg(orgId)}/facilities/${seg(facilityId)}`;
  };
  transformation = (id: string) => `${this.base}/transformations/${seg(id)}`;
  split = (id: string) => `${this.base}/splits/${seg(id)}`;
  blend = (id: string) => `${this.base}/blends/${seg(id)}`;
  shipment = (id: string) => `${this.base}/shipments/${seg(id)}`;
  licence = (id: string) => `${this.base}/licences/${seg(id)}`;
  certificate = (id: string) => `${this.base}/certificates/${seg(id)}`;
  exportOf = (id: string) => `${this.base}/exports/${seg(id)}`;
  /** Ledger event ids are UUIDs: an event's EPCIS `eventID` is its URN. */
  event = (eventId: string) => `urn:uuid:${eventId}`;

  /** The ledger id a URI names, when it is of that kind under this base (undefined otherwise). */
  parse(
    kind: 'batches' | 'orgs' | 'transformations' | 'splits' | 'blends' | 'shipments' | 'licences',
    uri: string,
  ) {
    const rest = this.under(uri);
    if (rest === undefined) return undefined;
    const match = /^([a-z]+)\/([^/]+)$/.exec(rest);
    if (!match || match[1] !== kind) return undefined;
    return unseg(match[2]!);
  }

  /** The facility a location URI names: the ledger's own, or a GLN's (Digital Link or SGLN) it knows. */
  parseFacility(uri: string): { orgId: string; facilityId: string } | undefined {
    const reference = glnReferenceOf(uri);
    if (reference) {
      const holder = reference.kind === 'location' ? this.holderOf(reference.gln) : undefined;
      return holder?.facilityId !== undefined
        ? { orgId: holder.orgId, facilityId: holder.facilityId }
        : undefined;
    }
    const rest = this.under(uri);
    const match = rest === undefined ? null : /^orgs\/([^/]+)\/facilities\/([^/]+)$/.exec(rest);
    if (!match) return undefined;
    const orgId = unseg(match[1]!);
    const facilityId = unseg(match[2]!);
    return orgId !== undefined && facilityId !== undefined ? { orgId, facilityId } : undefined;
  }

  /** The organisation a party URI names: the ledger's own, or a GLN's (Digital Link or PGLN) it knows. */
  parseOrganisation(uri: string): string | undefined {
    const reference = glnReferenceOf(uri);
    if (reference) {
      const holder = reference.kind === 'party' ? this.holderOf(reference.gln) : undefined;
      return holder && holder.facilityId === undefined ? holder.orgId : undefined;
    }
    return this.parse('orgs', uri);
  }

  private holderOf(gln: string) {
    return isGln(gln) ? this.glns?.holderOf(gln) : undefined;
  }

  /** The ledger's own vocabulary term a URI or `tl:` name stands for (`tl:reason` → `reason`). */
  term(name: string): string | undefined {
    if (name.startsWith('tl:')) return name.slice(3);
    return name.startsWith(this.vocabulary) ? name.slice(this.vocabulary.length) : undefined;
  }

  private under(uri: string): string | undefined {
    return uri.startsWith(`${this.base}/`) ? uri.slice(this.base.length + 1) : undefined;
  }
}

const seg = (id: string) => encodeURIComponent(id);

function unseg(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

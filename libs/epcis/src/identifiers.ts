/**
 * The URIs the ledger names its things by in EPCIS (docs/epcis.md, ADR 0031): every one under the ledger's
 * base URL (TRACELODE_PUBLIC_URL), so a reader can dereference it, and parsed back on capture. A URI under
 * another base, or of another shape, names nothing the ledger knows.
 */
export class EpcisIds {
  /** The base URL without a trailing slash, e.g. `https://ledger.example.org`. */
  readonly base: string;

  constructor(baseUrl: string) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  /** The namespace of the ledger's own EPCIS vocabulary (extension fields, analytes): prefix `tl:`. */
  get vocabulary(): string {
    return `${this.base}/epcis/vocab/`;
  }

  /** A lot is a class-level identifier (`epcClass`): its quantity is counted in kilograms, not instances. */
  batch = (batchId: string) => `${this.base}/batches/${seg(batchId)}`;
  organisation = (orgId: string) => `${this.base}/orgs/${seg(orgId)}`;
  facility = (orgId: string, facilityId: string) =>
    `${this.base}/orgs/${seg(orgId)}/facilities/${seg(facilityId)}`;
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

  parseFacility(uri: string): { orgId: string; facilityId: string } | undefined {
    const rest = this.under(uri);
    const match = rest === undefined ? null : /^orgs\/([^/]+)\/facilities\/([^/]+)$/.exec(rest);
    if (!match) return undefined;
    const orgId = unseg(match[1]!);
    const facilityId = unseg(match[2]!);
    return orgId !== undefined && facilityId !== undefined ? { orgId, facilityId } : undefined;
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

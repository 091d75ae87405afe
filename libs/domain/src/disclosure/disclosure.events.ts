/**
 * What a participant of a batch discloses of it: the events of its own custody segments (`segment`), or
 * everything it may read of the batch itself (`history`: every event up to the end of its last segment).
 * See docs/visibility.md.
 */
export const DISCLOSURE_SCOPES = ['segment', 'history'] as const;
export type DisclosureScope = (typeof DISCLOSURE_SCOPES)[number];

/**
 * On the batch's stream: a participant discloses its part of the batch to another organisation, from this
 * event's position on, until `until` (an instant) if given, or until revoked. A certifier it is disclosed
 * to is engaged on the batch.
 */
export type DisclosureGranted = {
  type: 'DisclosureGranted';
  data: {
    batchId: string;
    disclosureId: string;
    byOrgId: string;
    toOrgId: string;
    scope: DisclosureScope;
    until?: string;
  };
};

/** On the batch's stream: the granter withdraws a disclosure, from this event's position on. */
export type DisclosureRevoked = {
  type: 'DisclosureRevoked';
  data: { batchId: string; disclosureId: string; byOrgId: string; toOrgId: string };
};

export type DisclosureEvent = DisclosureGranted | DisclosureRevoked;

/**
 * The index of who holds a GLN: `gln-{gln}` holds one event, appended with the `GlnAssigned` that gave the
 * GLN to an organisation or one of its facilities. A decision that gives a GLN loads its stream, so two
 * organisations claiming the same GLN at once cannot both be recorded (the second append conflicts, and
 * when retried is refused `GLN_TAKEN`). A GLN, once given, is never given again nor changed.
 */
export type GlnClaimed = {
  type: 'GlnClaimed';
  data: { gln: string; orgId: string; facilityId?: string };
};

export type GlnEvent = GlnClaimed;

import type { GlnEvent } from './gln.events';

/** Who holds a GLN: an organisation, or one of its facilities (`facilityId`); none yet when absent. */
export interface GlnState {
  readonly holder?: { readonly orgId: string; readonly facilityId?: string };
}

export const initialGlnState = (): GlnState => ({});

export function evolveGln(state: GlnState, event: GlnEvent): GlnState {
  switch (event.type) {
    case 'GlnClaimed': {
      // The first claim stands: a GLN is never given twice (the decider refuses the second).
      if (state.holder) return state;
      const { orgId, facilityId } = event.data;
      return { holder: { orgId, ...(facilityId !== undefined ? { facilityId } : {}) } };
    }
    default: {
      const unknown: never = event.type;
      return unknown;
    }
  }
}

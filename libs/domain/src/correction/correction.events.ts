/**
 * One event's fields after and before a correction: the event a correction names, or one that follows from
 * it on the same stream (a later draw's remaining mass, a whole-lot shipment's or export's carried mass).
 * `exportId` is set when the event is an export, so the export and licence views can find it.
 */
export interface CorrectedRecord {
  eventId: string;
  eventType: string;
  corrected: Record<string, unknown>;
  previous: Record<string, unknown>;
  exportId?: string;
}

/**
 * A recorded event corrected by a new event in its own stream (ADR 0024): the stored event never changes.
 * `changes` are as the command named them (`massKg`, `occurredAt`, …); `corrected` and `previous` are the
 * event's data fields after and before (`massGrams`, …), so every view applies it without converting.
 * A correction of one fact appends one `EventCorrected` to every stream whose event carried a changed value,
 * in one atomic append, each naming its own stream's event: `batchId` on a batch's stream,
 * `transformationId` on a transformation's, `licenceId` on a licence's (exactly one of them is set).
 * `downstream` lists what follows on the same stream (a later draw's remaining mass, the carried mass of the
 * whole-lot shipment or export that followed, the shortfall of that shipment's receipt).
 */
export type EventCorrected = {
  type: 'EventCorrected';
  data: {
    batchId?: string;
    transformationId?: string;
    licenceId?: string;
    correctionId: string;
    eventId: string;
    eventType: string;
    byOrgId: string;
    reason: string;
    changes: Record<string, unknown>;
    corrected: Record<string, unknown>;
    previous: Record<string, unknown>;
    /** Set when the corrected event is an export, or is the licence drawdown of one. */
    exportId?: string;
    downstream?: CorrectedRecord[];
  };
};

/** A recorded event declared recorded in error, which nothing depended on (ADR 0024). */
export type EventVoided = {
  type: 'EventVoided';
  data: {
    batchId: string;
    voidId: string;
    eventId: string;
    eventType: string;
    byOrgId: string;
    reason: string;
  };
};

export type CorrectionEvent = EventCorrected | EventVoided;

/**
 * A recorded event corrected by a new event in its own stream (ADR 0024): the stored event never changes.
 * `changes` are as the command named them (`massKg`, `occurredAt`, …); `corrected` and `previous` are the
 * event's data fields after and before (`massGrams`, …), so every view applies it without converting.
 */
export type EventCorrected = {
  type: 'EventCorrected';
  data: {
    batchId: string;
    correctionId: string;
    eventId: string;
    eventType: string;
    byOrgId: string;
    reason: string;
    changes: Record<string, unknown>;
    corrected: Record<string, unknown>;
    previous: Record<string, unknown>;
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

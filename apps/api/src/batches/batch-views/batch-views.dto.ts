import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI shapes of the batch views (the views themselves are typed in libs/projections). */
export class CustodianDto {
  @ApiProperty() orgId!: string;
  @ApiProperty() facilityId!: string;
}

export class TimelineEntryDto {
  @ApiProperty() position!: string;
  @ApiProperty({ example: 'BatchShipped' }) type!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty({ description: 'When the ledger learnt of it (its clock when the command arrived)' })
  recordedAt!: string;
  @ApiProperty({ description: 'Recorded more than 72 hours after it occurred (a late report)' })
  late!: boolean;
  @ApiProperty({ nullable: true, type: String }) actorOrgId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) details!: Record<string, unknown>;
}

export class BatchCustodyViewDto {
  @ApiProperty() batchId!: string;
  @ApiProperty({ enum: ['in_custody', 'in_transit', 'consumed', 'exported', 'held'] }) status!: string;
  @ApiProperty({ enum: ['in_custody', 'in_transit', 'consumed', 'exported'] }) custodyStatus!: string;
  @ApiProperty({ description: 'Held directly' }) held!: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The nearest held ancestor (through transformations), if any',
  })
  heldVia!: string | null;
  @ApiProperty({ type: CustodianDto }) custodian!: CustodianDto;
  @ApiProperty() massKg!: number;
  @ApiProperty() remainingMassKg!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { form: 'concentrate', elements: ['Nd', 'Pr'] },
  })
  material!: Record<string, unknown>;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true }) openShipment!: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ type: [TimelineEntryDto] }) timeline!: TimelineEntryDto[];
  @ApiProperty({ description: 'Log position of the last event this view reflects' }) position!: string;
}

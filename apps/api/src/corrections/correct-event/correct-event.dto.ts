import { ApiProperty } from '@nestjs/swagger';
import { IsObject, IsString, Length } from 'class-validator';
import { IsLedgerId } from '../../common/validation';

export class CorrectEventDto {
  @ApiProperty({ example: 'CORR-0001' })
  @IsLedgerId()
  correctionId!: string;

  @ApiProperty({ example: 'Weighbridge W-2 was mis-calibrated; re-weighed 12 March' })
  @IsString()
  @Length(1, 500)
  reason!: string;

  @ApiProperty({
    type: Object,
    example: { massKg: 5500, extractionEmissionsKgCo2e: 2000 },
    description:
      'New values, named as in the command that recorded the event (massKg, receivedMassKg, extractionEmissionsKgCo2e, occurredAt, grade, documents, …)',
  })
  @IsObject()
  changes!: Record<string, unknown>;
}

export class CorrectionResponse {
  @ApiProperty() correctionId!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty({ required: false, description: 'The batch whose stream holds the event' })
  batchId?: string;
  @ApiProperty({
    required: false,
    description: 'The transformation whose stream holds the event (its TransformationRecorded)',
  })
  transformationId?: string;
  @ApiProperty() position!: string;
}

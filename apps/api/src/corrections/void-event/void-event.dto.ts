import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { IsLedgerId } from '../../common/validation';

export class VoidEventDto {
  @ApiProperty({ example: 'VOID-0001' })
  @IsLedgerId()
  voidId!: string;

  @ApiProperty({ example: 'Assay entered against the wrong lot' })
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class VoidResponse {
  @ApiProperty() voidId!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty() batchId!: string;
  @ApiProperty() position!: string;
}

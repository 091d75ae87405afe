import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

/** The GLN is checked by the decider (13 digits, GS1 check digit), so every bad one is `INVALID_GLN`. */
export class AssignGlnDto {
  @ApiProperty({ example: '0614141000012', description: 'GS1 Global Location Number: 13 digits' })
  @IsString()
  @MaxLength(64)
  gln!: string;
}

export class AssignGlnResponse {
  @ApiProperty() orgId!: string;
  @ApiProperty({ required: false }) facilityId?: string;
  @ApiProperty() gln!: string;
  @ApiProperty({ description: 'Log position of the command’s last event' }) position!: string;
}

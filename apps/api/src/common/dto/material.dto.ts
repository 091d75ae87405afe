import { ApiProperty } from '@nestjs/swagger';
import {
  type Grade,
  MATERIAL_FORMS,
  type MaterialForm,
  RARE_EARTH_ELEMENTS,
  type RareEarthElement,
} from '@tracelode/domain';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsOptional } from 'class-validator';
import { IsGrade } from '../validation';

/** A material as every command describes it: its form, the rare earths it carries, its grade. */
export class MaterialDto {
  @ApiProperty({ enum: MATERIAL_FORMS, example: 'concentrate' })
  @IsIn(MATERIAL_FORMS)
  form!: MaterialForm;

  @ApiProperty({ enum: RARE_EARTH_ELEMENTS, isArray: true, required: false, example: ['Nd', 'Pr'] })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(RARE_EARTH_ELEMENTS.length)
  @IsIn(RARE_EARTH_ELEMENTS, { each: true })
  elements?: RareEarthElement[];

  @ApiProperty({
    required: false,
    example: { TREO: 41.2 },
    type: Object,
    additionalProperties: { type: 'number' },
  })
  @IsOptional()
  @IsGrade()
  grade?: Grade;
}

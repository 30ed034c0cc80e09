import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { ApplyResult } from '../services/apply.service';

export class ApplyQueryDto {
  @ApiPropertyOptional({ default: false, description: 'Return the diff without writing anything' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  dryRun = false;
}

export class ApplyChangeDto {
  @ApiProperty({ example: 'documents[3] (ComponentVersion checkout-api@2.4.0)' }) document!: string;
  @ApiProperty({ enum: ['Stack', 'Component', 'ComponentVersion', 'VersionGroup', 'Rollout'] }) kind!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['create', 'update', 'unchanged'] }) action!: string;
  @ApiPropertyOptional() detail?: string;
}

export class ApplyResponseDto {
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ type: [ApplyChangeDto], description: 'One entry per document, in manifest order' }) changes!: ApplyChangeDto[];
}

export function mapApplyResult(result: ApplyResult): ApplyResponseDto {
  return { dryRun: result.dryRun, changes: result.changes.map((change) => ({ ...change })) };
}

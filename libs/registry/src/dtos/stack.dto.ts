import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { EnvironmentEntity } from '../entities/environment.entity';
import { StackEntity } from '../entities/stack.entity';

export class EnvironmentDto {
  @ApiProperty({ example: 'staging', description: 'Lowercase letters, digits and hyphens' })
  @IsString()
  @MaxLength(63)
  name!: string;

  @ApiPropertyOptional({ example: 'production', description: 'The environment this one mirrors' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  mirrors?: string;
}

export class CreateStackDto {
  @ApiProperty({ example: 'checkout' })
  @IsString()
  @MaxLength(63)
  name!: string;

  @ApiProperty({ type: [EnvironmentDto], example: [{ name: 'production' }, { name: 'staging', mirrors: 'production' }] })
  @ValidateNested({ each: true })
  @Type(() => EnvironmentDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  environments!: EnvironmentDto[];
}

export class EnvironmentResponseDto {
  @ApiProperty() name!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) mirrors!: string | null;
  @ApiProperty() createdAt!: string;
}

export class StackResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [EnvironmentResponseDto] }) environments!: EnvironmentResponseDto[];
  @ApiProperty() createdAt!: string;
}

export class StackPageDto {
  @ApiProperty({ type: [StackResponseDto] }) items!: StackResponseDto[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Pass as `after` to get the next page' }) nextCursor!: string | null;
}

export function mapEnvironment(environment: EnvironmentEntity): EnvironmentResponseDto {
  return { name: environment.name, mirrors: environment.mirrors, createdAt: environment.createdAt.toISOString() };
}

export function mapStack(stack: StackEntity): StackResponseDto {
  return {
    id: stack.id,
    name: stack.name,
    environments: [...stack.environments].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name)).map(mapEnvironment),
    createdAt: stack.createdAt.toISOString(),
  };
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MAX_RESOURCES_PER_HEARTBEAT } from '../services/heartbeats.service';
import { NodeHeartbeat } from '../collectors/heartbeat-series';

/** The registry's heartbeat body (`POST /v1/nodes/heartbeat`) is accepted as it is, plus stackConfig and timestamp. */
export class RecordHeartbeatDto {
  @ApiProperty({ example: 'checkout' }) @IsString() @MinLength(1) @MaxLength(63) stack!: string;
  @ApiProperty({ example: 'production' }) @IsString() @MinLength(1) @MaxLength(63) environment!: string;
  @ApiProperty({ example: 'checkout-api' }) @IsString() @MinLength(1) @MaxLength(63) component!: string;
  @ApiPropertyOptional({ example: 'checkout@2026.11.3' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(200) stackConfig?: string;

  @ApiProperty({ example: '10.0.3.7:8080', description: 'host:port of the node: the series label node' })
  @IsString()
  @Matches(/^[^\s:/]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, { message: 'address must be host:port' })
  @MaxLength(300)
  address!: string;

  @ApiPropertyOptional({ enum: ['staging', 'production'], description: 'Kept as the extra label location' }) @IsOptional() @IsIn(['staging', 'production']) location?: string;
  @ApiPropertyOptional({ example: '2.4.0', description: 'Accepted for the registry body; not a label (the registry tracks versions)' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  version?: string;

  @ApiPropertyOptional({ example: 1764201600000, description: 'Epoch milliseconds; default the arrival time' }) @IsOptional() @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER) timestamp?: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number', minimum: -Number.MAX_VALUE, maximum: Number.MAX_VALUE },
    minProperties: 1,
    maxProperties: MAX_RESOURCES_PER_HEARTBEAT,
    example: { cpu: 0.42, memoryBytes: 512_000_000 },
    description: 'Each figure (finite) becomes the series node_<snake_case name>',
  })
  @IsObject()
  resources!: Record<string, number>;
}

export function toNodeHeartbeat(dto: RecordHeartbeatDto, receivedAt: number): NodeHeartbeat {
  return {
    stack: dto.stack,
    environment: dto.environment,
    component: dto.component,
    ...(dto.stackConfig !== undefined ? { stackConfig: dto.stackConfig } : {}),
    node: dto.address,
    ...(dto.location !== undefined ? { location: dto.location } : {}),
    timestamp: dto.timestamp ?? receivedAt,
    resources: dto.resources,
  };
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { MAX_RESOURCE_FIGURES } from '../services/nodes.service';
import { VersionMapLocation } from '../entities/version-map-entry.entity';

export class HeartbeatDto {
  @ApiProperty({ example: 'checkout' }) @IsString() @MaxLength(63) stack!: string;
  @ApiProperty({ example: 'production' }) @IsString() @MaxLength(63) environment!: string;
  @ApiProperty({ enum: ['staging', 'production'] }) @IsIn(['staging', 'production']) location!: VersionMapLocation;
  @ApiProperty({ example: 'checkout-api' }) @IsString() @MaxLength(63) component!: string;
  @ApiProperty({ example: '10.0.3.7:8080', description: 'host:port of the node' })
  @IsString()
  @MaxLength(255)
  @Matches(/^[^\s:/]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, { message: 'address must be host:port' })
  address!: string;
  @ApiProperty({ example: '2.4.0', description: 'The version the node runs' }) @IsString() @MinLength(1) @MaxLength(256) version!: string;
  @ApiPropertyOptional({
    example: 'https://api-7.checkout.internal:8443',
    description:
      'The origin gateways reach the node at (http or https, host, optional port, no path), when it is not http://<address>. ' +
      'Routing policies whose stack configs omit their nodes route to it.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'number', minimum: -Number.MAX_VALUE, maximum: Number.MAX_VALUE },
    maxProperties: MAX_RESOURCE_FIGURES,
    example: { cpu: 0.42, memoryBytes: 512_000_000 },
    description: 'Finite figures, at most 100',
  })
  @IsOptional()
  @IsObject()
  resources?: Record<string, number>;
}

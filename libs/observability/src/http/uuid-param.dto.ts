import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

/**
 * A route's `:id` that must be a UUID. Validated by the global ValidationPipe like any DTO, so a
 * malformed id is the usual 400 naming the field (`errors: [{ field: 'id', … }]`) and the
 * document says `format: uuid`; Nest's ParseUUIDPipe answers a bare 400 and documents a string.
 */
export class UuidParamDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;
}

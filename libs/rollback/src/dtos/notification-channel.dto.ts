import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, IsUrl, Matches, MaxLength, MinLength } from 'class-validator';
import { NOTIFICATION_EVENTS, NotificationChannelEntity, NotificationDeliveryEntity, NotificationEvent } from '../entities/notification.entity';

export class CreateNotificationChannelDto {
  @ApiProperty({ example: 'sre-slack', maxLength: 63 })
  @IsString() @MinLength(1) @MaxLength(63) @Matches(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { message: 'name must be lower-case letters, digits and dashes' })
  name!: string;

  @ApiProperty({ enum: ['slack', 'json'], description: 'slack: an incoming-webhook message; json: the event as JSON' })
  @IsIn(['slack', 'json'])
  format!: 'slack' | 'json';

  @ApiProperty({ example: 'https://hooks.slack.com/services/T000/B000/XXXX', maxLength: 2_048 })
  @IsString() @MaxLength(2_048) @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'url must be an http(s) URL' })
  url!: string;

  @ApiProperty({ example: 'STRATA_SLACK_SIGNING_SECRET', description: "The rollback service's variable holding the shared secret deliveries are signed with (never the secret itself)" })
  @IsString() @MaxLength(128) @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, { message: 'secretFrom must be an environment variable name' })
  secretFrom!: string;

  @ApiProperty({ enum: NOTIFICATION_EVENTS, isArray: true, example: ['rollout-aborted', 'execution-failed'] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(NOTIFICATION_EVENTS.length) @IsIn(NOTIFICATION_EVENTS, { each: true })
  events!: NotificationEvent[];
}

export class NotificationDeliveryDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: NOTIFICATION_EVENTS }) event!: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) deliveredAt!: string | null;
}

export class NotificationChannelDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['slack', 'json'] }) format!: string;
  @ApiProperty() url!: string;
  @ApiProperty() secretFrom!: string;
  @ApiProperty({ enum: NOTIFICATION_EVENTS, isArray: true }) events!: string[];
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: [NotificationDeliveryDto], description: 'The latest deliveries, newest first (on GET of one channel)' }) deliveries!: NotificationDeliveryDto[];
}

export function mapChannel(channel: NotificationChannelEntity, deliveries: NotificationDeliveryEntity[] = []): NotificationChannelDto {
  return {
    id: channel.id,
    name: channel.name,
    format: channel.format,
    url: channel.url,
    secretFrom: channel.secretFrom,
    events: channel.events,
    createdBy: channel.createdBy,
    createdAt: channel.createdAt.toISOString(),
    deliveries: deliveries.map((delivery) => ({
      id: delivery.id,
      event: delivery.event,
      status: delivery.status,
      attempts: delivery.attempts,
      lastError: delivery.lastError,
      createdAt: delivery.createdAt.toISOString(),
      deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    })),
  };
}

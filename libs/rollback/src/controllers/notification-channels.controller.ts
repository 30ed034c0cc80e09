import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Principal, RequireRole, UuidParamDto } from '@strata/observability';
import { CreateNotificationChannelDto, NotificationChannelDto, mapChannel } from '../dtos/notification-channel.dto';
import { NotificationsService } from '../services/notifications.service';

@ApiTags('notifications')
@Controller('v1/notification-channels')
export class NotificationChannelsController {
  constructor(private readonly notifications: NotificationsService) {}

  @RequireRole('admin')
  @Post()
  @ApiCreatedResponse({ type: NotificationChannelDto })
  @ApiUnprocessableEntityResponse({ description: 'A field is invalid, or secretFrom names a variable that is not set' })
  @ApiConflictResponse({ description: 'The name is taken' })
  async create(@Body() body: CreateNotificationChannelDto, @Principal() actor: string): Promise<NotificationChannelDto> {
    return mapChannel(await this.notifications.create({ name: body.name, format: body.format, url: body.url, secretFrom: body.secretFrom, events: body.events }, actor));
  }

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: [NotificationChannelDto] })
  async list(): Promise<NotificationChannelDto[]> {
    return (await this.notifications.list()).map((channel) => mapChannel(channel));
  }

  @RequireRole('viewer')
  @Get(':id')
  @ApiOkResponse({ type: NotificationChannelDto, description: 'With its latest deliveries' })
  @ApiNotFoundResponse()
  async get(@Param() { id }: UuidParamDto): Promise<NotificationChannelDto> {
    const { channel, deliveries } = await this.notifications.get(id);
    return mapChannel(channel, deliveries);
  }

  @RequireRole('admin')
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  async remove(@Param() { id }: UuidParamDto): Promise<void> {
    await this.notifications.remove(id);
  }
}

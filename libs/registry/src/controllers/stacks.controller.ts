import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { PageQueryDto, RequireRole } from '@strata/observability';
import { CreateStackDto, EnvironmentDto, StackPageDto, StackResponseDto, mapStack } from '../dtos/stack.dto';
import { StacksService } from '../services/stacks.service';

@ApiTags('stacks')
@Controller('v1/stacks')
export class StacksController {
  constructor(private readonly stacks: StacksService) {}

  @RequireRole('operator')
  @Post()
  @ApiCreatedResponse({ type: StackResponseDto })
  @ApiConflictResponse({ description: 'A stack with this name exists' })
  @ApiUnprocessableEntityResponse({ description: 'The stack breaks a rule; `errors` names each field' })
  async create(@Body() body: CreateStackDto): Promise<StackResponseDto> {
    return mapStack(await this.stacks.create(body));
  }

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: StackPageDto })
  async list(@Query() query: PageQueryDto): Promise<StackPageDto> {
    const page = await this.stacks.page(query.limit, query.after);
    return { items: page.items.map(mapStack), nextCursor: page.nextCursor };
  }

  @RequireRole('viewer')
  @Get(':stack')
  @ApiOkResponse({ type: StackResponseDto })
  @ApiNotFoundResponse()
  async get(@Param('stack') stack: string): Promise<StackResponseDto> {
    return mapStack(await this.stacks.get(stack));
  }

  @RequireRole('operator')
  @Post(':stack/environments')
  @ApiCreatedResponse({ type: StackResponseDto })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The environment exists' })
  async addEnvironment(@Param('stack') stack: string, @Body() body: EnvironmentDto): Promise<StackResponseDto> {
    return mapStack(await this.stacks.addEnvironment(stack, body));
  }
}

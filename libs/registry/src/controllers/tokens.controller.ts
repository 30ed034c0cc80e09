import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { PageQueryDto, Principal, RequireRole } from '@strata/observability';
import { CreateTokenDto, CreatedTokenResponseDto, ExpireTokenDto, TokenPageDto, TokenResponseDto, mapToken } from '../dtos/token.dto';
import { TokensService } from '../services/tokens.service';

@ApiTags('tokens')
@RequireRole('admin')
@Controller('v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedTokenResponseDto, description: 'The token; its secret is in `token` and is never shown again' })
  @ApiUnprocessableEntityResponse({ description: 'expiresAt is not in the future' })
  async create(@Body() body: CreateTokenDto, @Principal() actor: string): Promise<CreatedTokenResponseDto> {
    const { token, secret } = await this.tokens.create(body, actor);
    return { ...mapToken(token), token: secret };
  }

  @Get()
  @ApiOkResponse({ type: TokenPageDto })
  async list(@Query() query: PageQueryDto): Promise<TokenPageDto> {
    const page = await this.tokens.page(query.limit, query.after);
    return { items: page.items.map(mapToken), nextCursor: page.nextCursor };
  }

  @Post(':id/expire')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiNotFoundResponse()
  async expire(@Param('id') id: string, @Body() body: ExpireTokenDto, @Principal() actor: string): Promise<TokenResponseDto> {
    return mapToken(await this.tokens.expire(id, body.expiresAt, actor));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiNotFoundResponse()
  async revoke(@Param('id') id: string, @Principal() actor: string): Promise<TokenResponseDto> {
    return mapToken(await this.tokens.revoke(id, actor));
  }
}

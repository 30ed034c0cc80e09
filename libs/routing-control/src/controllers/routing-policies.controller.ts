import { Body, Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { MirrorSettings } from '@strata/domain';
import { INT4_MAX, IntegerParamPipe, Principal, RequireRole } from '@strata/observability';
import { PolicyHistoryQueryDto, PolicyStatusDto, PutMirrorDto, PutRoutingPolicyDto, RoutingPolicyResponseDto, mapPolicyStatus, mapRoutingPolicy } from '../dtos/routing-policy.dto';
import { RoutingPoliciesService } from '../services/routing-policies.service';

@ApiTags('routing policies')
@Controller('v1/stacks/:stack/environments/:environment/routing-policy')
export class RoutingPoliciesController {
  constructor(private readonly policies: RoutingPoliciesService) {}

  @RequireRole('operator')
  @Put()
  @ApiOkResponse({ type: RoutingPolicyResponseDto, description: 'The new version, published to gateways' })
  @ApiUnprocessableEntityResponse({ description: 'problem+json whose errors name each invalid field, or a group not deployed here' })
  @ApiNotFoundResponse({ description: 'Unknown stack or environment' })
  async put(@Param('stack') stack: string, @Param('environment') environment: string, @Body() body: PutRoutingPolicyDto, @Principal() actor: string): Promise<RoutingPolicyResponseDto> {
    return mapRoutingPolicy(await this.policies.put(stack, environment, { ...body }, actor));
  }

  @RequireRole('operator')
  @Put('mirror')
  @ApiOkResponse({ type: RoutingPolicyResponseDto, description: 'The next version, derived from the current one with this mirror, published to gateways' })
  @ApiUnprocessableEntityResponse({ description: 'problem+json naming mirror.stackConfig (not a stack config of the policy, the stable one without nodeWeights, without nodes), mirror.sampleRate or mirror.nodeWeights' })
  @ApiNotFoundResponse({ description: 'Unknown stack or environment, or no routing policy yet' })
  async putMirror(@Param('stack') stack: string, @Param('environment') environment: string, @Body() body: PutMirrorDto, @Principal() actor: string): Promise<RoutingPolicyResponseDto> {
    return mapRoutingPolicy(await this.policies.setMirror(stack, environment, { ...body } as MirrorSettings, actor));
  }

  @RequireRole('operator')
  @Delete('mirror')
  @ApiOkResponse({ type: RoutingPolicyResponseDto, description: 'The next version without mirroring; the current one when nothing was mirrored' })
  @ApiNotFoundResponse({ description: 'Unknown stack or environment, or no routing policy yet' })
  async deleteMirror(@Param('stack') stack: string, @Param('environment') environment: string, @Principal() actor: string): Promise<RoutingPolicyResponseDto> {
    return mapRoutingPolicy(await this.policies.setMirror(stack, environment, null, actor));
  }

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: RoutingPolicyResponseDto })
  @ApiNotFoundResponse()
  async current(@Param('stack') stack: string, @Param('environment') environment: string): Promise<RoutingPolicyResponseDto> {
    return mapRoutingPolicy(await this.policies.current(stack, environment));
  }

  @RequireRole('viewer')
  @Get('status')
  @ApiOkResponse({ type: PolicyStatusDto, description: 'The current version and each gateway: in-sync, stale or rejected' })
  @ApiNotFoundResponse()
  async status(@Param('stack') stack: string, @Param('environment') environment: string): Promise<PolicyStatusDto> {
    return mapPolicyStatus(await this.policies.status(stack, environment));
  }

  @RequireRole('viewer')
  @Get('versions')
  @ApiOkResponse({ type: [RoutingPolicyResponseDto], description: 'Newest first' })
  async history(@Param('stack') stack: string, @Param('environment') environment: string, @Query() query: PolicyHistoryQueryDto): Promise<RoutingPolicyResponseDto[]> {
    return (await this.policies.history(stack, environment, query.limit)).map(mapRoutingPolicy);
  }

  @RequireRole('viewer')
  @Get('versions/:version')
  @ApiParam({ name: 'version', schema: { type: 'integer', minimum: 1, maximum: INT4_MAX } })
  @ApiOkResponse({ type: RoutingPolicyResponseDto })
  @ApiNotFoundResponse()
  async version(@Param('stack') stack: string, @Param('environment') environment: string, @Param('version', new IntegerParamPipe()) version: number): Promise<RoutingPolicyResponseDto> {
    return mapRoutingPolicy(await this.policies.version(stack, environment, version));
  }
}

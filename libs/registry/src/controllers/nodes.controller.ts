import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { NodeResponseDto, mapNode } from '../dtos/version-map.dto';
import { HeartbeatDto } from '../dtos/node.dto';
import { NodesService } from '../services/nodes.service';
import { RequireRole } from '@strata/observability';

@ApiTags('nodes')
@Controller('v1/nodes')
export class NodesController {
  constructor(private readonly nodes: NodesService) {}

  @RequireRole('operator')
  @Post('heartbeat')
  @HttpCode(200)
  @ApiOkResponse({ type: NodeResponseDto, description: 'The node as the version map now sees it (versionMismatch flags a version no group deployed there expects)' })
  @ApiNotFoundResponse({ description: 'Unknown stack, environment or component' })
  @ApiUnprocessableEntityResponse({ description: 'The url (or http://<address>) is not an origin a gateway can reach, or resource figures are not numbers' })
  async heartbeat(@Body() body: HeartbeatDto): Promise<NodeResponseDto> {
    const { node, status } = await this.nodes.heartbeat(body);
    return mapNode(node, status);
  }
}

import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { NodeResponseDto, mapNode } from '../dtos/version-map.dto';
import { HeartbeatDto } from '../dtos/node.dto';
import { NodesService } from '../services/nodes.service';

@ApiTags('nodes')
@Controller('v1/nodes')
export class NodesController {
  constructor(private readonly nodes: NodesService) {}

  @Post('heartbeat')
  @HttpCode(200)
  @ApiOkResponse({ type: NodeResponseDto, description: 'The node as the version map now sees it (versionMismatch flags a discovered version that differs)' })
  @ApiNotFoundResponse({ description: 'Unknown stack, environment or component' })
  async heartbeat(@Body() body: HeartbeatDto): Promise<NodeResponseDto> {
    return mapNode(await this.nodes.heartbeat(body));
  }
}

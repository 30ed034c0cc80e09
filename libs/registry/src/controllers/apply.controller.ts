import { Body, Controller, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { DomainError, MANIFEST_KINDS } from '@strata/domain';
import { Principal, RequireRole } from '@strata/observability';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { Response } from 'express';
import { ApplyQueryDto, ApplyRefusedDto, ApplyResponseDto, answerApply } from '../dtos/apply.dto';
import { ApplyService } from '../services/apply.service';

/** The body is the YAML itself (application/yaml or text/plain), or JSON `{ "manifest": "<yaml>" }`. */
function manifestText(body: unknown): string {
  if (typeof body === 'string') {
    return body;
  }
  const manifest = (body as { manifest?: unknown } | null)?.manifest;
  if (typeof manifest === 'string') {
    return manifest;
  }
  throw DomainError.invalid('no manifest', [{ field: 'body', message: 'send the YAML as application/yaml, or JSON {"manifest": "<yaml>"}' }]);
}

/** The manifest text, within the API's body limit (5 MB). */
const MANIFEST_TEXT_SCHEMA: SchemaObject = { type: 'string', minLength: 1, maxLength: 5 * 1024 * 1024, example: 'apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: checkout }\nspec: { environments: [{ name: production }] }\n' };

@ApiTags('manifests')
@Controller('v1/apply')
export class ApplyController {
  constructor(private readonly applier: ApplyService) {}

  @RequireRole('operator')
  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Applies a manifest: every document or none (a Rollout routing-control refuses leaves the others applied)',
    requestBody: {
      required: true,
      description: `Multi-document YAML with kinds ${MANIFEST_KINDS.join(', ')}: as the body itself, or as JSON \`{"manifest": "<yaml>"}\``,
      content: {
        'application/yaml': { schema: MANIFEST_TEXT_SCHEMA },
        'text/plain': { schema: MANIFEST_TEXT_SCHEMA },
        'application/json': { schema: { type: 'object', required: ['manifest'], additionalProperties: false, properties: { manifest: MANIFEST_TEXT_SCHEMA } } },
      },
    },
  })
  @ApiOkResponse({ type: ApplyResponseDto, description: 'Applied; every Rollout of the manifest started (each change names its rollout id)' })
  @ApiAcceptedResponse({ type: ApplyResponseDto, description: 'Applied, but routing-control has not answered a Rollout within waitSeconds: it is reported pending' })
  @ApiUnprocessableEntityResponse({
    type: ApplyRefusedDto,
    description:
      'A document breaks a rule: each violation names the document, the field and the rule, and nothing was applied; or (problem type rollout-refused, with `changes`) routing-control refused a Rollout as invalid and the other documents were applied',
  })
  @ApiConflictResponse({ type: ApplyRefusedDto, description: 'routing-control refused a Rollout for the state it found (no routing policy, another rollout active, …); the other documents were applied (`changes`)' })
  async apply(@Body() body: unknown, @Query() query: ApplyQueryDto, @Principal() actor: string, @Res({ passthrough: true }) response: Response): Promise<ApplyResponseDto | ApplyRefusedDto> {
    return answerApply(await this.applier.apply(manifestText(body), { dryRun: query.dryRun, waitMs: query.waitSeconds * 1_000 }, actor), response);
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { LIVE_STREAM_SETTINGS, LiveAccess, LiveStreamSettings } from './live-access';
import { LiveChangesService } from './live-changes.service';
import { LiveController } from './live.controller';

/** The dashboard's server side: its live stream. Its pages are static files (serveDashboard). */
@Module({ controllers: [LiveController], providers: [LiveChangesService, LiveAccess] })
export class DashboardModule {
  /** With settings other than DEFAULT_LIVE_STREAM_SETTINGS (a spec checks tokens more often). */
  static register(settings: LiveStreamSettings): DynamicModule {
    return { module: DashboardModule, providers: [{ provide: LIVE_STREAM_SETTINGS, useValue: settings }] };
  }
}

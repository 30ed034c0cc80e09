import { Module } from '@nestjs/common';
import { LiveChangesService } from './live-changes.service';
import { LiveController } from './live.controller';

/** The dashboard's server side: its live stream. Its pages are static files (serveDashboard). */
@Module({ controllers: [LiveController], providers: [LiveChangesService] })
export class DashboardModule {}

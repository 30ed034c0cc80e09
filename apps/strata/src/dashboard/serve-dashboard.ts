import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where `npm run build:ui` (and `npm install`, `npm start`) put the dashboard: dist/dashboard of the repository. */
export const DASHBOARD_DIR = join(__dirname, '..', '..', '..', '..', 'dist', 'dashboard');

export const DASHBOARD_PATH = '/ui';

/**
 * The dashboard's pages at /ui, as public static files: they hold no data. Every API call they
 * make carries the token the user signs in with, so the API's auth is untouched. Not built (a
 * start without `npm install`'s build step), /ui answers 503 saying how to build it.
 */
export function serveDashboard(app: INestApplication, directory = DASHBOARD_DIR): void {
  const express = app as NestExpressApplication;
  if (existsSync(join(directory, 'index.html'))) {
    express.useStaticAssets(directory, { prefix: DASHBOARD_PATH, index: 'index.html' });
    return;
  }
  express.use(DASHBOARD_PATH, (_request: Request, response: Response) => {
    response.status(503).type('text/plain').send(`the dashboard is not built: run \`npm run build:ui\` (it looked in ${directory})\n`);
  });
}

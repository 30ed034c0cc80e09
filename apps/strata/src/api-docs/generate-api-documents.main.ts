import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ASYNCAPI_DOCUMENT_PATH, buildAsyncApiDocument } from './asyncapi-document';
import { OPENAPI_DOCUMENT_PATH, buildOpenApiDocument } from './openapi-document';
import { serializeDocument } from './serialize';

/** `npm run docs:api`: regenerates the committed OpenAPI and AsyncAPI documents from the code. */
async function main(): Promise<void> {
  const root = resolve(__dirname, '../../../..');
  const documents: [string, Record<string, unknown>][] = [
    [OPENAPI_DOCUMENT_PATH, await buildOpenApiDocument()],
    [ASYNCAPI_DOCUMENT_PATH, buildAsyncApiDocument()],
  ];
  for (const [path, document] of documents) {
    await writeFile(resolve(root, path), serializeDocument(document));
    process.stdout.write(`wrote ${path}\n`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`docs:api: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

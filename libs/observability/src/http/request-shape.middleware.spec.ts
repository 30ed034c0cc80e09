import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { UnprocessableInputException } from './json-body';
import { MethodNotAllowedException, methodNotAllowedMiddleware, unsupportedMediaTypeMiddleware } from './request-shape.middleware';

function request(method: string, path: string, headers: Record<string, string> = {}): Request {
  return { method, path, headers } as unknown as Request;
}

function run(middleware: (request: Request, response: Response, next: (error?: unknown) => void) => void, incoming: Request) {
  const headers: Record<string, string> = {};
  let passed: unknown = 'not called';
  middleware(incoming, { setHeader: (name: string, value: string) => (headers[name] = value) } as unknown as Response, (error?: unknown) => (passed = error));
  return { error: passed, headers };
}

describe(methodNotAllowedMiddleware.name, () => {
  const sut = methodNotAllowedMiddleware({
    '/v1/stacks': { get: {}, post: {} },
    '/v1/stacks/{stack}': { get: {} },
    '/v1/stacks/{stack}/rollouts': { post: {} },
  });

  it('passes methods a route answers, and HEAD where GET is answered', () => {
    expect(run(sut, request('POST', '/v1/stacks')).error).toBeUndefined();
    expect(run(sut, request('HEAD', '/v1/stacks/checkout')).error).toBeUndefined();
  });

  it('answers 405 with Allow for a known path, whatever its parameters', () => {
    const { error, headers } = run(sut, request('DELETE', '/v1/stacks/checkout'));
    expect(error).toBeInstanceOf(MethodNotAllowedException);
    expect((error as MethodNotAllowedException).getStatus()).toBe(405);
    expect(headers['Allow']).toBe('GET, HEAD');
  });

  it('answers 422 naming the path parameter whose value does not decode as UTF-8', () => {
    const { error } = run(sut, request('POST', '/v1/stacks/%ED%A0%80/rollouts'));
    expect(error).toBeInstanceOf(UnprocessableInputException);
    expect((error as UnprocessableInputException).violations).toEqual([{ field: 'path.stack', message: 'is not valid percent-encoded UTF-8' }]);
    expect(run(sut, request('GET', '/v1/stacks/%zz')).error).toBeInstanceOf(UnprocessableInputException);
    expect(run(sut, request('GET', '/v1/stacks/%C3%BC%F0%9F%98%80')).error).toBeUndefined();
  });

  it('leaves unknown paths to the 404 of the router', () => {
    expect(run(sut, request('DELETE', '/v1/nowhere')).error).toBeUndefined();
    expect(run(sut, request('GET', '/v1/stacks/a/b/c')).error).toBeUndefined();
  });
});

describe(unsupportedMediaTypeMiddleware.name, () => {
  const sut = unsupportedMediaTypeMiddleware;

  it('passes bodies of the types some route reads, and requests without a body', () => {
    for (const type of ['application/json; charset=utf-8', 'application/merge-patch+json', 'application/yaml', 'text/plain', 'application/x-protobuf']) {
      expect(run(sut, request('POST', '/x', { 'content-type': type, 'content-length': '2' })).error).toBeUndefined();
    }
    expect(run(sut, request('POST', '/x', { 'content-type': 'application/xml' })).error).toBeUndefined();
  });

  it('refuses a body of another type, or of none, with 415', () => {
    const bodies: Record<string, string>[] = [
      { 'content-type': 'application/xml', 'content-length': '5' },
      { 'content-length': '5' },
      { 'content-type': 'multipart/form-data; boundary=x', 'transfer-encoding': 'chunked' },
    ];
    for (const headers of bodies) {
      expect(run(sut, request('POST', '/x', headers)).error).toBeInstanceOf(UnsupportedMediaTypeException);
    }
  });
});

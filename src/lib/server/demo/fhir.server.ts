import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getStatus, normalizeOperationOutcome } from '@medplum/core';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { FhirStore, isSearchParameter, type FhirJson } from './fhir.store';

/**
 * A small read-only FHIR R4 server over node:http, for demo mode (and, wrapped with fault injection, for
 * tests): /metadata, reads by id and type-level searches with `_count`/`_offset` paging and next links, on
 * medplum's FhirRouter. Writes are not offered over HTTP (the product only reads); the data is loaded, and
 * changed, through the handle. Search parameters the router does not know are refused with 400, where the
 * router would silently match nothing: a query mistake must show, not look like an empty record.
 */

export interface FhirServerOptions {
  /** Resources and/or Bundles (transaction bundles' urn:uuid references are resolved). */
  resources?: readonly FhirJson[];
  port?: number;
  host?: string;
  /** Entries per page when the client sends no _count, and the most it may ask for. */
  defaultPageSize?: number;
  maxPageSize?: number;
}

export interface FhirHttpRequest {
  method: string;
  /** Path and query as received, e.g. /fhir/Patient?identifier=... */
  url: string;
  /** This server's base URL as the client sees it (next links are built on it). */
  baseUrl: string;
}

export interface FhirHttpResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface FhirHandler {
  readonly store: FhirStore;
  /** The response for a request: separate from writing it, so a test wrapper can alter it on the way out. */
  respond(request: FhirHttpRequest): Promise<FhirHttpResponse>;
}

export interface RunningFhirServer {
  baseUrl: string;
  store: FhirStore;
  close(): Promise<void>;
}

/** Where the FHIR API lives on the server: a path prefix catches clients that join URLs wrongly. */
export const FHIR_BASE_PATH = '/fhir';
const SOFTWARE_NAME = 'Pump Pathway demo FHIR server (medplum fhir-router, in memory)';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const CONTROL_PARAMETERS = new Set(['_count', '_offset', '_elements', '_summary', '_sort', '_total', '_format', '_pretty']);
const RESOURCE_TYPE = /^[A-Z][A-Za-z]+$/;

const outcome = (status: number, code: string, diagnostics: string): FhirHttpResponse => ({
  status,
  body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] },
});

function capabilityStatement(): Record<string, unknown> {
  const searchable = ['Patient', 'Observation', 'Condition', 'Organization'];
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: SOFTWARE_NAME },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        resource: searchable.map((type) => ({ type, interaction: [{ code: 'read' }, { code: 'search-type' }] })),
      },
    ],
  };
}

export function createFhirHandler(options: Pick<FhirServerOptions, 'defaultPageSize' | 'maxPageSize'> = {}, store = new FhirStore()): FhirHandler {
  const defaultPageSize = options.defaultPageSize ?? 20;
  const maxPageSize = options.maxPageSize ?? 1000;

  async function route(method: 'GET', url: string, query: Record<string, string | string[]>): Promise<FhirHttpResponse> {
    try {
      const [result, resource] = await store.router.handleRequest({ method, url, pathname: '', body: undefined, params: {}, query }, store.repository);
      return resource ? { status: getStatus(result), body: resource } : { status: getStatus(result), body: result };
    } catch (e) {
      const result = normalizeOperationOutcome(e) as OperationOutcome;
      return { status: getStatus(result), body: result };
    }
  }

  async function search(resourceType: string, params: URLSearchParams, request: FhirHttpRequest): Promise<FhirHttpResponse> {
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of params) {
      const code = key.split(':')[0] ?? key;
      if (!CONTROL_PARAMETERS.has(code) && (key.includes('.') || !isSearchParameter(resourceType, code))) {
        return outcome(400, 'not-supported', `Search parameter ${key} is not supported for ${resourceType}`);
      }
      // `patient` can only point at a Patient, so FHIR allows a bare id; medplum's matcher wants Patient/id.
      const normalised = key === 'patient' ? value.split(',').map((v) => (v.includes('/') ? v : `Patient/${v}`)).join(',') : value;
      const existing = query[key];
      query[key] = existing === undefined ? normalised : [...(Array.isArray(existing) ? existing : [existing]), normalised];
    }
    const asked = Number(params.get('_count') ?? defaultPageSize);
    // _summary=count answers with the total alone: no entries, so no pages to follow.
    const count = params.get('_summary') === 'count' ? 0 : Number.isInteger(asked) && asked >= 0 ? Math.min(asked, maxPageSize) : defaultPageSize;
    const offset = Math.max(0, Number.parseInt(params.get('_offset') ?? '0', 10) || 0);
    query._count = String(count);
    query._offset = String(offset);

    const response = await route('GET', resourceType, query);
    if (response.status !== 200) return response;
    const bundle = response.body as Bundle;
    const total = bundle.total ?? 0;
    const pageUrl = (at: number) => {
      const next = new URLSearchParams(params);
      next.set('_count', String(count));
      next.set('_offset', String(at));
      return `${request.baseUrl}/${resourceType}?${next.toString()}`;
    };
    bundle.link = [{ relation: 'self', url: pageUrl(offset) }];
    if (count > 0 && offset + count < total) bundle.link.push({ relation: 'next', url: pageUrl(offset + count) });
    bundle.entry = bundle.entry?.map((entry) => ({
      fullUrl: `${request.baseUrl}/${entry.resource?.resourceType}/${entry.resource?.id}`,
      ...entry,
      search: { mode: 'match' },
    }));
    return { status: 200, body: bundle };
  }

  return {
    store,
    async respond(request) {
      const url = new URL(request.url, 'http://fhir.invalid');
      if (!url.pathname.startsWith(`${FHIR_BASE_PATH}/`)) return outcome(404, 'not-found', 'Not a FHIR endpoint');
      if (request.method !== 'GET') return outcome(405, 'not-supported', 'This server is read-only');
      const parts = url.pathname.slice(FHIR_BASE_PATH.length + 1).split('/').map(decodeURIComponent);
      const [resourceType, id, ...rest] = parts;
      if (resourceType === 'metadata' && parts.length === 1) return { status: 200, body: capabilityStatement() };
      if (!resourceType || !RESOURCE_TYPE.test(resourceType) || rest.length > 0) return outcome(404, 'not-found', 'Unknown path');
      if (id === undefined || id === '') return search(resourceType, url.searchParams, request);
      return route('GET', `${resourceType}/${id}`, {});
    },
  };
}

export function writeFhirResponse(res: ServerResponse, response: FhirHttpResponse): void {
  const body = JSON.stringify(response.body);
  res.writeHead(response.status, { 'content-type': FHIR_JSON, 'content-length': Buffer.byteLength(body), ...response.headers });
  res.end(body);
}

/** The base URL a request reached us at (no proxy in front of this server: the Host header is ours). */
export const baseUrlOf = (req: IncomingMessage) => `http://${req.headers.host ?? 'localhost'}${FHIR_BASE_PATH}`;

/** Serves a handler over node:http on 127.0.0.1; port 0 picks a free one. */
export async function listen(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  options: Pick<FhirServerOptions, 'port' | 'host'> = {},
): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) writeFhirResponse(res, outcome(500, 'exception', 'Internal error'));
      else res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive connections (and a test's hanging request) would otherwise hold close() open.
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

export async function startFhirServer(options: FhirServerOptions = {}): Promise<RunningFhirServer> {
  const handler = createFhirHandler(options);
  await handler.store.load(options.resources ?? []);
  const http = await listen(async (req, res) => {
    writeFhirResponse(res, await handler.respond({ method: req.method ?? 'GET', url: req.url ?? '/', baseUrl: baseUrlOf(req) }));
  }, options);
  return { baseUrl: `${http.origin}${FHIR_BASE_PATH}`, store: handler.store, close: http.close };
}

import { Client, type RequestOptions } from 'fhir-kit-client';
import type { z } from 'zod';
import { isDomainError, notFound, upstreamFailed, upstreamTimeout } from '../../domain/errors';
import { RETRYABLE_STATUSES, retryDelay } from './fhir.retry';
import { fhirCapabilityStatement, fhirSearchBundle, type FhirSearchBundle } from './fhir.schemas';
import { createSmartBackendAuth, type SmartBackendAuth, type SmartBackendAuthConfig } from './fhir.smart-auth';

/**
 * The hospital FHIR server, through fhir-kit-client, with what a clinical system needs around it: every
 * request under a timeout (504 when it runs out), reads retried with backoff on 429/503 only, every answer
 * checked against the schema of what we read (502 when it does not fit), and every page of a search followed.
 * Errors leave as DomainErrors, so routes map them to 404/502/504 in the one place they map everything.
 */

export type FhirAuth = { kind: 'none' } | { kind: 'bearer'; token: string } | SmartBackendAuthConfig;

export interface FhirClientOptions {
  baseUrl: string;
  /**
   * The server's identity, recorded as the provenance of every value read and the link of every imported
   * patient. Defaults to the base URL; set it when the URL may change but the server (and its ids) will not,
   * e.g. the demo server, which starts on a new port each time.
   */
  serverId?: string;
  timeoutMs: number;
  auth?: FhirAuth;
  /** Extra attempts for a read answered 429 or 503. */
  retries?: number;
  /** First backoff step when the server gives no Retry-After. */
  retryBaseMs?: number;
  /** A Retry-After longer than this is not waited for: the read fails instead. Defaults to timeoutMs. */
  maxRetryWaitMs?: number;
  /** Entries per search page (_count). */
  pageSize?: number;
  /** A guard against a server whose next links never end. */
  maxPages?: number;
}

export interface RequestControl {
  /** Cancels the request (the caller gave up, e.g. a sibling request failed). */
  signal?: AbortSignal;
}

export interface SearchOptions extends RequestControl {
  pageSize?: number;
}

export interface FhirCapabilities {
  software: string | null;
  fhirVersion: string;
}

export interface FhirClient {
  /** The base URL as configured, without a trailing slash. */
  readonly baseUrl: string;
  /** Recorded as the provenance of every value read (see FhirClientOptions.serverId). */
  readonly serverId: string;
  capabilities(control?: RequestControl): Promise<FhirCapabilities>;
  /** One resource by id; `notFoundDetail` is the 404 message when the server has no such resource. */
  read<S extends z.ZodType>(resourceType: string, id: string, schema: S, notFoundDetail: string, control?: RequestControl): Promise<z.infer<S>>;
  /** Every resource of `resourceType` the search matches, following each next link. */
  searchAll<S extends z.ZodType>(resourceType: string, params: Record<string, string>, schema: S, options?: SearchOptions): Promise<z.infer<S>[]>;
}

interface HttpError {
  response: { status: number; data?: unknown };
  config?: { headers?: Headers };
}

/** Entries per search page (_count) unless the options say otherwise. */
export const DEFAULT_PAGE_SIZE = 100;

const isHttpError = (e: unknown): e is HttpError =>
  typeof e === 'object' && e !== null && typeof (e as HttpError).response?.status === 'number';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export function createFhirClient(options: FhirClientOptions): FhirClient {
  const baseUrl = trimSlash(options.baseUrl);
  const origin = new URL(baseUrl).origin;
  const retries = options.retries ?? 2;
  const retryBaseMs = options.retryBaseMs ?? 250;
  const maxRetryWaitMs = options.maxRetryWaitMs ?? options.timeoutMs;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const maxPages = options.maxPages ?? 10_000;
  const auth = options.auth ?? { kind: 'none' };
  const fhir = new Client({ baseUrl });

  /**
   * One HTTP exchange under the timeout, mapped to DomainErrors. `retry` is for reads: 429/503 are tried
   * again after Retry-After or a backoff, up to `retries` times.
   */
  async function exchange(
    what: string,
    send: (options: RequestOptions) => Promise<unknown>,
    opts: { retry: boolean; authorised: boolean; notFoundDetail?: string; control?: RequestControl },
  ): Promise<unknown> {
    let authRefreshed = false;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {};
      if (opts.authorised) {
        const authorization = await authorizationHeader();
        if (authorization) headers.authorization = authorization;
      }
      const timer = new AbortController();
      const timeout = setTimeout(() => timer.abort(), options.timeoutMs);
      const outer = opts.control?.signal;
      const signal = outer ? AbortSignal.any([timer.signal, outer]) : timer.signal;
      try {
        return await send({ headers, signal });
      } catch (e) {
        if (timer.signal.aborted) throw upstreamTimeout(`The FHIR server did not answer ${what} within ${options.timeoutMs} ms`);
        if (outer?.aborted) throw outer.reason ?? e;
        // fetch reports a refused or broken connection as a TypeError; anything else is our own bug.
        if (e instanceof TypeError) throw upstreamFailed(`The FHIR server could not be reached for ${what}`);
        if (!isHttpError(e)) throw e;
        const status = e.response.status;
        if (status === 401 && opts.authorised && smart && !authRefreshed) {
          // A token can be revoked before it expires: fetch a fresh one once.
          smart.invalidate();
          authRefreshed = true;
          attempt--;
          continue;
        }
        if ((status === 404 || status === 410) && opts.notFoundDetail) throw notFound(opts.notFoundDetail);
        if (opts.retry && RETRYABLE_STATUSES.has(status) && attempt < retries) {
          const wait = retryDelay(attempt, e.config?.headers?.get?.('retry-after'), retryBaseMs);
          if (wait <= maxRetryWaitMs) {
            await sleep(wait);
            continue;
          }
        }
        throw upstreamFailed(
          status >= 200 && status < 300
            ? `The FHIR server answered ${what} with something that is not JSON`
            : `The FHIR server failed ${what} (HTTP ${status})`,
        );
      } finally {
        clearTimeout(timeout);
      }
    }
  }

  function parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
    const result = schema.safeParse(body);
    if (!result.success) throw upstreamFailed(`The FHIR server answered ${what} with something we cannot read`);
    return result.data;
  }

  const smart: SmartBackendAuth | null =
    auth.kind === 'smart-backend'
      ? createSmartBackendAuth(auth, baseUrl, {
          getJson: (url) => exchange('the SMART configuration request', (o) => fhir.request(url, { options: o }), { retry: true, authorised: false }),
          postForm: (url, form) =>
            exchange(
              'the token request',
              (o) =>
                fhir.request(url, {
                  method: 'POST',
                  body: form.toString(),
                  options: { ...o, headers: { ...o.headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } },
                }),
              { retry: false, authorised: false },
            ),
        })
      : null;

  async function authorizationHeader(): Promise<string | null> {
    if (auth.kind === 'bearer') return `Bearer ${auth.token}`;
    if (!smart) return null;
    try {
      return await smart.authorization();
    } catch (e) {
      if (isDomainError(e)) throw e;
      throw upstreamFailed('The FHIR server’s authorisation server answered with something we cannot read');
    }
  }

  let capabilities: Promise<FhirCapabilities> | null = null;

  const client: FhirClient = {
    baseUrl,
    serverId: options.serverId ?? baseUrl,

    capabilities(control) {
      capabilities ??= exchange('the capability statement request', (o) => fhir.capabilityStatement(o), { retry: true, authorised: true, control })
        .then((body) => {
          const statement = parse(fhirCapabilityStatement, body, 'the capability statement request');
          return { software: statement.software?.name ?? null, fhirVersion: statement.fhirVersion };
        })
        .catch((e: unknown) => {
          capabilities = null; // not cached: the next call asks again
          throw e;
        });
      return capabilities;
    },

    async read(resourceType, id, schema, notFoundDetail, control) {
      const what = `the ${resourceType} read`;
      const body = await exchange(what, (o) => fhir.read({ resourceType, id: encodeURIComponent(id), options: o }), {
        retry: true,
        authorised: true,
        notFoundDetail,
        control,
      });
      return parse(schema, body, what);
    },

    async searchAll(resourceType, params, schema, searchOptions = {}) {
      const what = `the ${resourceType} search`;
      const control = { signal: searchOptions.signal };
      const count = String(searchOptions.pageSize ?? pageSize);
      const byId = new Map<string, z.infer<typeof schema>>();
      const seenPages = new Set<string>();
      let total: number | undefined;
      let page: FhirSearchBundle = parse(
        fhirSearchBundle,
        await exchange(what, (o) => fhir.search({ resourceType, searchParams: { ...params, _count: count }, options: o }), { retry: true, authorised: true, control }),
        what,
      );
      total = page.total;
      for (let pages = 1; ; pages++) {
        const matches = (page.entry ?? []).filter(
          (e) => e.resource?.resourceType === resourceType && e.search?.mode !== 'include' && e.search?.mode !== 'outcome',
        );
        for (const entry of matches) {
          const resource = parse(schema, entry.resource, what);
          // A resource repeated across pages (the data changed while we paged) is kept once.
          byId.set((resource as { id?: string }).id ?? `#${byId.size}`, resource);
        }
        const next = page.link?.find((l) => l.relation === 'next')?.url;
        if (!next) break;
        if (matches.length === 0) throw upstreamFailed(`The FHIR server sent an empty page in the middle of ${what}`);
        const nextUrl = new URL(next, `${baseUrl}/`);
        // Our credentials go to the configured server only, never to wherever a next link points.
        if (nextUrl.origin !== origin) throw upstreamFailed(`The FHIR server sent a next link to another server during ${what}`);
        if (seenPages.has(nextUrl.href) || pages >= maxPages) throw upstreamFailed(`The FHIR server's paging did not end during ${what}`);
        seenPages.add(nextUrl.href);
        page = parse(
          fhirSearchBundle,
          await exchange(what, (o) => fhir.request(nextUrl.href, { options: o }), { retry: true, authorised: true, control }),
          what,
        );
      }
      // Fewer than the server announced means pages went missing; more is data added while we paged.
      if (total !== undefined && byId.size < total) {
        throw upstreamFailed(`The FHIR server's paging ended early during ${what} (${byId.size} of ${total})`);
      }
      return [...byId.values()];
    },
  };
  return client;
}

import { systemActor, type Actor } from '../domain/access';

/** Where a request came from: recorded with every audit entry. */
export interface RequestMeta {
  requestId: string;
  clientAddress: string | null;
  userAgent?: string | null;
}

/** What every service method receives first: who is acting, and the request it came with. */
export interface Ctx<A extends Actor = Actor> extends RequestMeta {
  actor: A;
}

/** The context of work the system does itself (start-up, demo seeding, the command line, scheduled work). */
export const systemCtx = (name: string, requestId = 'system'): Ctx => ({ actor: systemActor(name), requestId, clientAddress: null });

import type { UserActor } from '$lib/domain/access';
import type { Services } from '$lib/server/services';
import type { Ctx } from '$lib/server/context';

declare global {
  namespace App {
    interface Locals {
      services: Services;
      actor: UserActor | null;
      /** The service context of a signed-in user; pages behind sign-in may rely on it. */
      ctx: Ctx<UserActor> | null;
      requestId: string;
      clientAddress: string | null;
    }
    interface Error {
      message: string;
      requestId?: string;
    }
  }
}

export {};

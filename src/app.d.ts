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
      /** MFA_REQUIRED_ROLES: this person must add an authenticator before anything else. */
      mustEnrolSecondFactor: boolean;
      requestId: string;
      clientAddress: string | null;
    }
    interface Error {
      message: string;
      requestId?: string;
      /** A sign-in that did not work: the page says why, under this heading, and leads back to the sign-in page. */
      title?: string;
      signIn?: boolean;
    }
  }
}

export {};

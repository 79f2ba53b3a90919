/**
 * Queue IAM policies, kept as given: GetIamPolicy returns the stored (or an empty) policy,
 * SetIamPolicy replaces it, TestIamPermissions grants every permission asked for (the
 * emulator checks no permissions).
 */
import type { CloudTasksService } from './service.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- proto-loader objects are plain JSON-like values */
export type IamPolicies = Map<string, Record<string, any>>;

export function createIamMethods(service: CloudTasksService, policies: IamPolicies) {
  return {
    GetIamPolicy(req: Record<string, any>) {
      service.getQueue(req.resource);
      return policies.get(req.resource) ?? {};
    },
    SetIamPolicy(req: Record<string, any>) {
      service.getQueue(req.resource);
      const policy = { ...(req.policy ?? {}), etag: Buffer.from(String(Date.now())) };
      policies.set(req.resource, policy);
      return policy;
    },
    TestIamPermissions(req: Record<string, any>) {
      return { permissions: [...(req.permissions ?? [])] };
    },
  };
}

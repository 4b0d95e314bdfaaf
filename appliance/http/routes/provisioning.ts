// Provisioning state for the web UI: enrolled with the fleet, or unclaimed with the claim code to enter
// at the fleet side, or the error of the last enrolment attempt. The claim code adopts the box into a
// fleet, so only an admin sees it; others learn that it exists (`claimCodeHidden`).
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { requireRole, sessionOf } from '../route-kit.ts';
import { Provisioning } from '../contract/health.ts';
import { provisioningStatus, type ProvisioningStatus } from '../../../provisioning/box-identity.ts';

/** `status` overrides reading the identity folder (the composition root passes its last result). */
export function provisioningRoutes(status?: () => ProvisioningStatus) {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    app.get<{ Reply: Provisioning }>('/api/provisioning', {
      config: requireRole('viewer'),
      schema: {
        summary: 'Fleet enrolment: enrolled, unclaimed (with the claim code to enter at the fleet side), or the last error',
        tags: ['provisioning'],
        response: { 200: Provisioning },
      },
    }, async (req) => {
      const s = status ? status() : provisioningStatus(ctx.deps.dataDir);
      if (s.claimCode === undefined || sessionOf(req).role === 'admin') return s;
      const { claimCode: _hidden, ...rest } = s;
      return { ...rest, claimCodeHidden: true };
    });
  };
}

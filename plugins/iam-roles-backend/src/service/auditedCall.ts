import type { AuditorService } from '@backstage/backend-plugin-api';
import { auditedError } from './safeText';

/**
 * Runs `fn` inside an auditor event, so that its success and its failure both reach the audit
 * sink; meta entries without a value are left out. The routes pass their request (the auditor
 * reads the caller from it), the actions their caller in the meta.
 */
export async function auditedCall<T>(
  auditor: AuditorService,
  event: {
    eventId: string;
    severityLevel: 'low' | 'medium' | 'high';
    request?: Parameters<AuditorService['createEvent']>[0]['request'];
    meta: Record<string, string | undefined>;
  },
  fn: () => Promise<T>,
): Promise<T> {
  const meta = Object.fromEntries(
    Object.entries(event.meta).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  const created = await auditor.createEvent({
    eventId: event.eventId,
    severityLevel: event.severityLevel,
    request: event.request,
    meta,
  });
  try {
    const result = await fn();
    await created.success();
    return result;
  } catch (error) {
    await created.fail({ error: auditedError(error) });
    throw error;
  }
}

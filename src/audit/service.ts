import type { Clock } from '../lib/clock.js';
import { unixSeconds } from '../lib/clock.js';
import type { AuditEvent, AuditFilter, AuditStore, NewAuditEvent } from './store.js';

/** Audit actions Gatehouse records. */
export type AuditAction =
  | 'user.signed_up'
  | 'user.signed_in'
  | 'user.sign_in_failed'
  | 'user.sign_in_locked'
  | 'user.signed_out'
  | 'user.password_changed'
  | 'user.approved'
  | 'user.rejected'
  | 'user.suspended'
  | 'user.reactivated'
  | 'user.role_changed'
  | 'user.created'
  | 'session.revoked'
  | 'session.expired'
  | 'session.refreshed'
  | 'session.debug_created'
  | 'portal.session_opened'
  | 'portal.session_failed'
  | 'portal.session_closed';

/** Who did it, from where. */
export interface AuditActor {
  actorId?: string | null;
  ipAddress?: string | null;
}

/** Writes and reads the audit trail. Never give it a token or a password. */
export class AuditService {
  constructor(private readonly store: AuditStore, private readonly clock: Clock) {}

  async record(
    action: AuditAction,
    actor: AuditActor,
    target: { type: string; id: string } | null,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    await this.store.append(this.entry(action, actor, target, detail));
  }

  /**
   * {@link record}, synchronously: for a unit of work (`UnitOfWork.run`), so the entry commits in the
   * same transaction as the change it describes.
   */
  recordSync(
    action: AuditAction,
    actor: AuditActor,
    target: { type: string; id: string } | null,
    detail?: Record<string, unknown>,
  ): void {
    this.store.appendSync(this.entry(action, actor, target, detail));
  }

  private entry(action: AuditAction, actor: AuditActor, target: { type: string; id: string } | null, detail?: Record<string, unknown>): NewAuditEvent {
    return {
      at: unixSeconds(this.clock),
      actorId: actor.actorId ?? null,
      action,
      targetType: target?.type ?? null,
      targetId: target?.id ?? null,
      ipAddress: actor.ipAddress ?? null,
      detail: detail ?? null,
    };
  }

  list(filter: AuditFilter, first: number, before?: number | null): Promise<AuditEvent[]> {
    return this.store.list(filter, first, before);
  }
}

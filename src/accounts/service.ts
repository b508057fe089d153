import { z } from 'zod';
import type { Config, Role } from '../config.js';
import type { Clock } from '../lib/clock.js';
import { unixSeconds } from '../lib/clock.js';
import { newId, randomToken } from '../lib/random.js';
import type { Events } from '../events.js';
import type { AuditService } from '../audit/service.js';
import { badUserInput, conflict, forbidden, notFound, unauthenticated, type FieldProblem } from '../graphql/errors.js';
import type { DeviceHints } from '../sessions/device.js';
import type { IssueResult, RequestMeta, SessionService, Viewer } from '../sessions/service.js';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './password.js';
import type { PageRequest, User, UserFilter, UserStatus, UserStore } from './store.js';
import type { Metrics } from '../ops/metrics.js';
import type { SecurityService } from '../security/service.js';
import type { QueuePublish, UnitOfWork } from '../relay/unit-of-work.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem } from '../security/password-policy.js';

/** Roles a visitor may pick at sign-up; ADMIN is only granted by another admin. */
export const SELF_SERVICE_ROLES = ['MEMBER', 'EMPLOYER', 'STAGE_MANAGER'] as const;

const email = z.string().trim().max(254, 'must be at most 254 characters').pipe(z.email('must be an email address'));
const password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);
const name = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');

const SignUpInput = z.object({
  email,
  password,
  name,
  role: z.enum(SELF_SERVICE_ROLES, { message: `must be one of ${SELF_SERVICE_ROLES.join(', ')}` }),
}).superRefine((data, ctx) => {
  // Length problems are already reported by `password`; add the policy's other reasons.
  if (data.password.length < MIN_PASSWORD_LENGTH || data.password.length > MAX_PASSWORD_LENGTH) return;
  const problem = passwordProblem(data.password, data);
  if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
});

/**
 * Validates `data` with a zod schema and throws BAD_USER_INPUT naming each bad field under `prefix`.
 */
export function parseInput<T>(schema: z.ZodType<T>, data: unknown, prefix: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const fields: FieldProblem[] = parsed.error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
  throw badUserInput(fields);
}

type AccountServiceDeps = {
  users: UserStore;
  sessions: SessionService;
  audit: AuditService;
  events: Events;
  /** A status change, its audit entry, the sessions it ends and all their events in one commit. */
  unitOfWork: UnitOfWork;
  clock: Clock;
  config: Pick<Config, 'approvalRequiredRoles' | 'adminEmail' | 'adminPassword'>;
  metrics?: Pick<Metrics, 'signInFailures'>;
  /** Brute-force locks and sign-up rate limits (absent: none). */
  security?: SecurityService;
};

export interface SignUpInput {
  email: string;
  password: string;
  name: string;
  role?: Role | null;
  device?: DeviceHints | null;
}

export interface SignInInput {
  email: string;
  password: string;
  device?: DeviceHints | null;
  replaceSessionId?: string | null;
}

/** What an admin's action on a user needs: who acts, from where. */
export interface AdminActor {
  viewer: Viewer | null;
  meta: RequestMeta;
  /** Who acts when there is no signed-in viewer (e.g. 'cli'). */
  actorId?: string;
}

/** Accounts: sign-up, sign-in, passwords, approval and status changes, with events and audit. */
export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  private now(): number {
    return unixSeconds(this.deps.clock);
  }

  /** Creates an account and its first device session. Roles needing approval start PENDING. */
  async signUp(input: SignUpInput, meta: RequestMeta) {
    const data = parseInput(SignUpInput, { ...input, role: input.role ?? 'MEMBER' }, 'input');
    await this.deps.security?.consumeSignUp(meta.ipAddress);
    const status: UserStatus = this.deps.config.approvalRequiredRoles.includes(data.role) ? 'PENDING' : 'ACTIVE';
    const user = await this.createUser({ ...data, status }, { actorId: null, ipAddress: meta.ipAddress });
    const issued = await this.deps.sessions.issue(user, { device: input.device, meta, ignoreCap: true });
    if (issued.kind !== 'created') throw new Error('sign-up session was refused by the device cap');
    return { token: issued.token, session: issued.session, user };
  }

  /** Inserts a user (sign-up, CLI, bootstrap). Email must be unused. */
  async createUser(
    data: { email: string; password: string; name: string; role: Role; status: UserStatus },
    actor: { actorId: string | null; ipAddress: string | null },
  ): Promise<User> {
    if (await this.deps.users.findByEmail(data.email)) {
      throw conflict('EMAIL_TAKEN', 'An account with this email already exists. Sign in instead, or use another email.');
    }
    const now = this.now();
    const user: User = {
      id: newId('usr'),
      email: data.email,
      name: data.name,
      passwordHash: await hashPassword(data.password),
      role: data.role,
      status: data.status,
      statusReason: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.deps.users.insert(user);
    } catch (error) {
      // Two sign-ups racing for one email: the UNIQUE index decides.
      if (String((error as Error).message).includes('UNIQUE')) {
        throw conflict('EMAIL_TAKEN', 'An account with this email already exists. Sign in instead, or use another email.');
      }
      throw error;
    }
    await this.deps.audit.record(actor.actorId ? 'user.created' : 'user.signed_up', actor, { type: 'User', id: user.id }, {
      role: user.role,
      status: user.status,
    });
    if (user.status === 'PENDING') this.deps.events.publish('admins', { type: 'REQUESTED', userId: user.id, at: now });
    return user;
  }

  /**
   * Checks credentials and opens a session. Unknown emails cost one argon2 verification too, so
   * timing does not reveal which emails exist. While the account or the client IP is locked after
   * repeated failures, answers RATE_LIMITED before looking at the password at all.
   */
  async signIn(input: SignInInput, meta: RequestMeta): Promise<IssueResult & { user: User }> {
    const emailInput = String(input.email ?? '');
    await this.deps.security?.assertSignInAllowed(emailInput, meta.ipAddress);
    const user = await this.deps.users.findByEmail(emailInput);
    const valid = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);
    if (!user || !valid) {
      this.deps.metrics?.signInFailures.inc();
      await this.deps.security?.recordSignInFailure(emailInput, meta.ipAddress, user);
      await this.deps.audit.record('user.sign_in_failed', { actorId: user?.id ?? null, ipAddress: meta.ipAddress }, user ? { type: 'User', id: user.id } : null, {
        emailKnown: Boolean(user),
      });
      throw unauthenticated('INVALID_CREDENTIALS');
    }
    await this.deps.security?.recordSignInSuccess(emailInput);
    if (user.status === 'SUSPENDED') throw forbidden('ACCOUNT_SUSPENDED', withReason('Your account is suspended', user.statusReason, 'Contact an administrator to have it reactivated.'));
    if (user.status === 'REJECTED') throw forbidden('ACCOUNT_REJECTED', withReason('Your account request was rejected', user.statusReason, 'Contact an administrator if you think this is a mistake.'));
    const issued = await this.deps.sessions.issue(user, {
      device: input.device,
      meta,
      replaceSessionId: input.replaceSessionId,
      inTransaction: (session) =>
        this.deps.audit.recordSync('user.signed_in', { actorId: user.id, ipAddress: meta.ipAddress }, { type: 'Session', id: session.id }, {
          device: session.deviceName,
          replaced: input.replaceSessionId ?? undefined,
        }),
    });
    return { ...issued, user };
  }

  /** Changes the caller's password; by default signs out every other device. */
  async changePassword(
    viewer: Viewer,
    input: { currentPassword: string; newPassword: string; signOutOtherSessions?: boolean | null },
    meta: RequestMeta,
  ): Promise<number> {
    const user = await this.requireUser(viewer.user.id);
    if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
      throw badUserInput([{ path: 'input.currentPassword', message: 'is not your current password' }]);
    }
    const newPassword = parseInput(password, input.newPassword, 'input.newPassword');
    if (newPassword === input.currentPassword) {
      throw badUserInput([{ path: 'input.newPassword', message: 'must differ from the current password' }]);
    }
    const problem = passwordProblem(newPassword, user);
    if (problem) throw badUserInput([{ path: 'input.newPassword', message: problem }]);
    await this.deps.users.updatePasswordHash(user.id, await hashPassword(newPassword), this.now());
    await this.deps.audit.record('user.password_changed', { actorId: user.id, ipAddress: meta.ipAddress }, { type: 'User', id: user.id });
    if (input.signOutOtherSessions === false) return 0;
    return this.deps.sessions.revokeAllForUser(user.id, 'PASSWORD_CHANGED', { actorId: user.id, ipAddress: meta.ipAddress }, viewer.session.id);
  }

  getUser(id: string): Promise<User | null> {
    return this.deps.users.findById(id);
  }

  getUsers(ids: readonly string[]): Promise<User[]> {
    return this.deps.users.findByIds(ids);
  }

  listUsers(filter: UserFilter, page: PageRequest): Promise<User[]> {
    return this.deps.users.list(filter, page);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.deps.users.findByEmail(email);
  }

  private async requireUser(id: string): Promise<User> {
    const user = await this.deps.users.findById(id);
    if (!user) throw notFound('User', id);
    return user;
  }

  /** PENDING or REJECTED → ACTIVE. Already ACTIVE is a no-op. */
  async approve(id: string, actor: AdminActor): Promise<User> {
    const user = await this.requireUser(id);
    if (user.status === 'ACTIVE') return user;
    if (user.status === 'SUSPENDED') {
      throw conflict('USER_SUSPENDED', 'This account is suspended, not pending. Use reactivateUser to restore it.');
    }
    return this.changeStatus(user, 'ACTIVE', null, 'user.approved', actor, (publish) => {
      publish('admins', { type: 'APPROVED', userId: id, at: this.now() });
    });
  }

  /** PENDING → REJECTED, and every session of the user ends. */
  async reject(id: string, reason: string | null | undefined, actor: AdminActor): Promise<User> {
    const user = await this.requireUser(id);
    if (user.status === 'REJECTED') return user;
    if (user.status !== 'PENDING') {
      throw conflict('USER_NOT_PENDING', `Only pending accounts can be rejected; this one is ${user.status}. Use suspendUser instead.`);
    }
    return this.changeStatus(user, 'REJECTED', cleanReason(reason), 'user.rejected', actor, (publish) => {
      publish('admins', { type: 'REJECTED', userId: id, at: this.now() });
      this.deps.sessions.revokeAllForUserIn(publish, id, 'ACCOUNT_REJECTED', actorOf(actor));
    });
  }

  /** Any status → SUSPENDED, and every session of the user ends. Admins cannot suspend themselves. */
  async suspend(id: string, reason: string | null | undefined, actor: AdminActor): Promise<User> {
    const user = await this.requireUser(id);
    if (actor.viewer?.user.id === id) throw conflict('CANNOT_SUSPEND_SELF', 'You cannot suspend your own account. Ask another administrator.');
    if (user.status === 'SUSPENDED') return user;
    return this.changeStatus(user, 'SUSPENDED', cleanReason(reason), 'user.suspended', actor, (publish) => {
      this.deps.sessions.revokeAllForUserIn(publish, id, 'ACCOUNT_SUSPENDED', actorOf(actor));
    });
  }

  /** SUSPENDED or REJECTED → ACTIVE. */
  async reactivate(id: string, actor: AdminActor): Promise<User> {
    const user = await this.requireUser(id);
    if (user.status === 'ACTIVE') return user;
    if (user.status === 'PENDING') {
      throw conflict('USER_PENDING', 'This account is pending, not suspended. Use approveUser to approve it.');
    }
    return this.changeStatus(user, 'ACTIVE', null, 'user.reactivated', actor);
  }

  /** Changes a role. Admins cannot change their own role, so there is always someone to undo it. */
  async setRole(id: string, role: Role, actor: AdminActor): Promise<User> {
    const user = await this.requireUser(id);
    if (actor.viewer?.user.id === id) throw conflict('CANNOT_CHANGE_OWN_ROLE', 'You cannot change your own role. Ask another administrator.');
    if (user.role === role) return user;
    const updated = await this.deps.users.updateRole(id, role, this.now());
    if (!updated) throw notFound('User', id);
    await this.deps.audit.record('user.role_changed', actorOf(actor), { type: 'User', id }, { from: user.role, to: role });
    this.publishStatus(updated, user.status, null);
    return updated;
  }

  private async changeStatus(
    user: User,
    status: UserStatus,
    reason: string | null,
    action: 'user.approved' | 'user.rejected' | 'user.suspended' | 'user.reactivated',
    actor: AdminActor,
    /** More of the same unit of work, after the status event (the approval queue's event, revoking sessions). */
    then?: (publish: QueuePublish) => void,
  ): Promise<User> {
    // The user row, its audit entry, whatever `then` writes and the outbox rows of every event: one commit.
    return this.deps.unitOfWork.run((publish) => {
      const updated = this.deps.users.updateStatusSync(user.id, status, reason, this.now());
      if (!updated) throw notFound('User', user.id);
      this.deps.audit.recordSync(action, actorOf(actor), { type: 'User', id: user.id }, { from: user.status, to: status, reason });
      // Published before any session is revoked, so a pending page learns why before its socket closes.
      this.publishStatus(updated, user.status, reason, publish);
      then?.(publish);
      return updated;
    });
  }

  /** The status event; queued on `publish` inside a unit of work, else published now. */
  private publishStatus(user: User, previousStatus: UserStatus, reason: string | null, publish?: QueuePublish) {
    (publish ?? (this.deps.events.publish.bind(this.deps.events) as QueuePublish))('user:status', user.id, {
      userId: user.id,
      status: user.status,
      previousStatus,
      role: user.role,
      reason,
      at: this.now(),
    });
  }

  /**
   * On an empty database, creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD, or with a
   * generated password that is returned once so the caller can print it.
   */
  async bootstrapAdmin(): Promise<{ email: string; generatedPassword: string | null } | null> {
    if ((await this.deps.users.count()) > 0) return null;
    const email = this.deps.config.adminEmail ?? 'admin@gatehouse.local';
    const generatedPassword = this.deps.config.adminPassword ? null : randomToken(15);
    await this.createUser(
      { email, password: this.deps.config.adminPassword ?? generatedPassword!, name: 'Administrator', role: 'ADMIN', status: 'ACTIVE' },
      { actorId: 'system', ipAddress: null },
    );
    return { email, generatedPassword };
  }
}

function cleanReason(reason: string | null | undefined): string | null {
  const trimmed = reason?.trim().slice(0, 500);
  return trimmed ? trimmed : null;
}

function withReason(what: string, reason: string | null, advice: string): string {
  return reason ? `${what}: ${reason}. ${advice}` : `${what}. ${advice}`;
}

function actorOf(actor: AdminActor) {
  return { actorId: actor.viewer?.user.id ?? actor.actorId ?? 'system', ipAddress: actor.meta.ipAddress };
}

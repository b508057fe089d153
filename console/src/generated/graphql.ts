import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 date-time in UTC, e.g. 2026-01-31T12:00:00.000Z. */
  DateTime: { input: string; output: string; }
  /** Any JSON value. */
  JSON: { input: unknown; output: unknown; }
};

/** The account’s current state; sent first on subscribe, then on every change. */
export type AccountStatusEvent = {
  __typename?: 'AccountStatusEvent';
  at: Scalars['DateTime']['output'];
  previousStatus: Maybe<UserStatus>;
  reason: Maybe<Scalars['String']['output']>;
  role: Role;
  status: UserStatus;
  user: User;
};

/** One entry of the audit trail. Never contains a token or a password. */
export type AuditEvent = {
  __typename?: 'AuditEvent';
  /** e.g. user.signed_in, user.sign_in_failed, session.revoked, user.approved */
  action: Scalars['String']['output'];
  /** The user who acted; null for the system or the operator CLI (see actorId). */
  actor: Maybe<User>;
  actorId: Maybe<Scalars['String']['output']>;
  at: Scalars['DateTime']['output'];
  detail: Maybe<Scalars['JSON']['output']>;
  id: Scalars['ID']['output'];
  ipAddress: Maybe<Scalars['String']['output']>;
  targetId: Maybe<Scalars['String']['output']>;
  targetType: Maybe<Scalars['String']['output']>;
};

export type AuditEventConnection = {
  __typename?: 'AuditEventConnection';
  edges: Array<AuditEventEdge>;
  pageInfo: PageInfo;
};

export type AuditEventEdge = {
  __typename?: 'AuditEventEdge';
  cursor: Scalars['String']['output'];
  node: AuditEvent;
};

export type AuditFilter = {
  action?: InputMaybe<Scalars['String']['input']>;
  since?: InputMaybe<Scalars['DateTime']['input']>;
  /** Entries where this user acted or was the target. */
  userId?: InputMaybe<Scalars['ID']['input']>;
};

/** A new session. Keep the token secret and send it as "Authorization: Bearer <token>". */
export type AuthPayload = {
  __typename?: 'AuthPayload';
  session: Session;
  token: Scalars['String']['output'];
  user: User;
};

export type ChangePasswordInput = {
  currentPassword: Scalars['String']['input'];
  newPassword: Scalars['String']['input'];
  /** Sign out every other device (default). Pass false to keep them. */
  signOutOtherSessions?: InputMaybe<Scalars['Boolean']['input']>;
};

/** What the client knows about its device. Missing parts are parsed from the User-Agent header. */
export type DeviceInput = {
  browser?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  os?: InputMaybe<Scalars['String']['input']>;
  type?: InputMaybe<DeviceType>;
};

/** Sign-in refused because the account already has `limit` devices. Ask the user which one to sign out and retry with replaceSessionId. */
export type DeviceLimitReached = {
  __typename?: 'DeviceLimitReached';
  activeSessions: Array<Session>;
  limit: Scalars['Int']['output'];
  message: Scalars['String']['output'];
};

export type DeviceType =
  | 'CLI'
  | 'DESKTOP'
  | 'MOBILE'
  | 'OTHER'
  | 'TABLET'
  | 'WEB';

export type DeviceTypeCount = {
  __typename?: 'DeviceTypeCount';
  count: Scalars['Int']['output'];
  deviceType: DeviceType;
};

export type EmploymentType =
  | 'CONTRACT'
  | 'FULL_TIME'
  | 'INTERNSHIP'
  | 'PART_TIME'
  | 'TEMPORARY';

/** Same keys as GET /health. */
export type Health = {
  __typename?: 'Health';
  activePortalSessions: Scalars['Int']['output'];
  activeSessions: Scalars['Int']['output'];
  keepAlivePortalSessions: Scalars['Int']['output'];
  status: Scalars['String']['output'];
  uptimeSeconds: Scalars['Int']['output'];
  version: Scalars['String']['output'];
};

export type Job = Node & {
  __typename?: 'Job';
  createdAt: Scalars['DateTime']['output'];
  description: Scalars['String']['output'];
  /** Loaded in one batched query for a whole page of jobs. */
  employer: User;
  employmentType: EmploymentType;
  id: Scalars['ID']['output'];
  location: Scalars['String']['output'];
  salaryMax: Maybe<Scalars['Int']['output']>;
  salaryMin: Maybe<Scalars['Int']['output']>;
  status: JobStatus;
  title: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type JobConnection = {
  __typename?: 'JobConnection';
  edges: Array<JobEdge>;
  pageInfo: PageInfo;
};

export type JobEdge = {
  __typename?: 'JobEdge';
  cursor: Scalars['String']['output'];
  node: Job;
};

export type JobEvent = {
  __typename?: 'JobEvent';
  at: Scalars['DateTime']['output'];
  /** The job as of this event (its last state for DELETED). */
  job: Job;
  type: JobEventType;
};

export type JobEventType =
  | 'CLOSED'
  | 'DELETED'
  | 'POSTED'
  | 'REOPENED'
  | 'UPDATED';

export type JobFilter = {
  employerId?: InputMaybe<Scalars['ID']['input']>;
  /** Part of the location, e.g. "Berlin". */
  location?: InputMaybe<Scalars['String']['input']>;
  /** Words to find in title, description or location (ranked). */
  search?: InputMaybe<Scalars['String']['input']>;
  status?: InputMaybe<JobStatus>;
};

export type JobInput = {
  description: Scalars['String']['input'];
  employmentType: EmploymentType;
  location: Scalars['String']['input'];
  salaryMax?: InputMaybe<Scalars['Int']['input']>;
  salaryMin?: InputMaybe<Scalars['Int']['input']>;
  title: Scalars['String']['input'];
};

export type JobStats = {
  __typename?: 'JobStats';
  closed: Scalars['Int']['output'];
  open: Scalars['Int']['output'];
  postedLast7d: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
};

export type JobStatus =
  | 'CLOSED'
  | 'OPEN';

export type Mutation = {
  __typename?: 'Mutation';
  approveUser: User;
  changePassword: Scalars['Boolean']['output'];
  closeJob: Job;
  /** Ends the session and wipes its stored password and cookies (owner or admin). */
  closePortalSession: PortalSession;
  /** Admins, DEV_MODE only: a short-lived DEBUG session for a user, audited and revocable. */
  createDebugSession: AuthPayload;
  /** Posts a job. Needs canPostJobs: an ACTIVE employer or admin (any ACTIVE user in DEV_MODE). */
  createJob: Job;
  createPortal: Portal;
  deleteJob: Scalars['Boolean']['output'];
  /** Closes the portal’s live sessions (CLOSED events), then deletes it and its sessions. */
  deletePortal: Scalars['Boolean']['output'];
  /** Reuses your live session for the same portal and credentials (isNew: false, no upstream login) or logs in once. Errors: PORTAL_LOGIN_FAILED, PORTAL_UNAVAILABLE. */
  openPortalSession: OpenPortalSessionPayload;
  reactivateUser: User;
  /** Calls the keep-alive URL now; logs in again once if the portal logged the session out. */
  refreshPortalSession: PortalSession;
  /** A new token for the same session (the old one works for a short grace window) and the user read fresh. */
  refreshSession: AuthPayload;
  rejectUser: User;
  reopenJob: Job;
  /** Signs out every device of a user (yourself when userId is omitted; others need admin); returns how many. */
  revokeAllSessions: Scalars['Int']['output'];
  /** Signs out every device but this one; returns how many. */
  revokeOtherSessions: Scalars['Int']['output'];
  /** Signs one device out: one of your own, or anyone’s for an admin. */
  revokeSession: Session;
  setUserRole: User;
  signIn: SignInResult;
  /** Ends the session this request was made with. */
  signOut: Scalars['Boolean']['output'];
  /** Creates an account and signs this device in. EMPLOYER and STAGE_MANAGER accounts start PENDING. */
  signUp: AuthPayload;
  suspendUser: User;
  updateJob: Job;
  updatePortal: Portal;
  /** The session’s Cookie header (owner only); marks it used and extends a non-keep-alive session’s idle deadline. */
  usePortalSession: UsePortalSessionPayload;
};


export type MutationApproveUserArgs = {
  id: Scalars['ID']['input'];
};


export type MutationChangePasswordArgs = {
  input: ChangePasswordInput;
};


export type MutationCloseJobArgs = {
  id: Scalars['ID']['input'];
};


export type MutationClosePortalSessionArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCreateDebugSessionArgs = {
  ttlMinutes?: InputMaybe<Scalars['Int']['input']>;
  userId: Scalars['ID']['input'];
};


export type MutationCreateJobArgs = {
  input: JobInput;
};


export type MutationCreatePortalArgs = {
  input: PortalInput;
};


export type MutationDeleteJobArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeletePortalArgs = {
  id: Scalars['ID']['input'];
};


export type MutationOpenPortalSessionArgs = {
  input: OpenPortalSessionInput;
};


export type MutationReactivateUserArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRefreshPortalSessionArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRejectUserArgs = {
  id: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
};


export type MutationReopenJobArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRevokeAllSessionsArgs = {
  userId?: InputMaybe<Scalars['ID']['input']>;
};


export type MutationRevokeSessionArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSetUserRoleArgs = {
  id: Scalars['ID']['input'];
  role: Role;
};


export type MutationSignInArgs = {
  input: SignInInput;
};


export type MutationSignUpArgs = {
  input: SignUpInput;
};


export type MutationSuspendUserArgs = {
  id: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
};


export type MutationUpdateJobArgs = {
  id: Scalars['ID']['input'];
  input: JobInput;
};


export type MutationUpdatePortalArgs = {
  id: Scalars['ID']['input'];
  input: PortalInput;
};


export type MutationUsePortalSessionArgs = {
  id: Scalars['ID']['input'];
};

export type Node = {
  id: Scalars['ID']['output'];
};

export type OpenPortalSessionInput = {
  keepAlive?: Scalars['Boolean']['input'];
  password: Scalars['String']['input'];
  portalId: Scalars['ID']['input'];
  username: Scalars['String']['input'];
};

export type OpenPortalSessionPayload = {
  __typename?: 'OpenPortalSessionPayload';
  /** False when an existing session for the same credentials was reused (no upstream login). */
  isNew: Scalars['Boolean']['output'];
  session: PortalSession;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor: Maybe<Scalars['String']['output']>;
};

export type PendingApprovalEvent = {
  __typename?: 'PendingApprovalEvent';
  at: Scalars['DateTime']['output'];
  type: PendingApprovalEventType;
  user: User;
};

export type PendingApprovalEventType =
  | 'APPROVED'
  | 'REJECTED'
  | 'REQUESTED';

/** An upstream site Gatehouse logs in to on behalf of users (defined by admins). */
export type Portal = Node & {
  __typename?: 'Portal';
  connector: PortalConnector;
  createdAt: Scalars['DateTime']['output'];
  /** Static form fields sent with every login. Shown to admins only (null for others). */
  extraFields: Maybe<Scalars['JSON']['output']>;
  id: Scalars['ID']['output'];
  idleTimeoutSeconds: Scalars['Int']['output'];
  keepAliveUrl: Scalars['String']['output'];
  loggedOutPattern: Maybe<Scalars['String']['output']>;
  loginUrl: Scalars['String']['output'];
  name: Scalars['String']['output'];
  passwordField: Scalars['String']['output'];
  refreshIntervalSeconds: Scalars['Int']['output'];
  updatedAt: Scalars['DateTime']['output'];
  usernameField: Scalars['String']['output'];
};

/** How Gatehouse logs in to a portal. HTTP_FORM posts an HTML login form. */
export type PortalConnector =
  | 'HTTP_FORM';

export type PortalInput = {
  connector?: PortalConnector;
  /** A JSON object of static form fields sent with every login. */
  extraFields?: InputMaybe<Scalars['JSON']['input']>;
  /** Idle expiry of non-keep-alive sessions, 60 to 2592000 seconds. */
  idleTimeoutSeconds?: Scalars['Int']['input'];
  /** An http(s) URL fetched with the session cookies to keep the login alive. */
  keepAliveUrl: Scalars['String']['input'];
  /** Text (or URL fragment) that marks a logged-out answer. 401/403 and a redirect to loginUrl always count. */
  loggedOutPattern?: InputMaybe<Scalars['String']['input']>;
  /** The http(s) URL the login form is POSTed to. */
  loginUrl: Scalars['String']['input'];
  name: Scalars['String']['input'];
  passwordField?: Scalars['String']['input'];
  /** Keep-alive interval, 10 to 86400 seconds. */
  refreshIntervalSeconds?: Scalars['Int']['input'];
  usernameField?: Scalars['String']['input'];
};

/** A pooled upstream login. The password and the upstream cookies are never shown; usePortalSession hands out a Cookie header. */
export type PortalSession = Node & {
  __typename?: 'PortalSession';
  createdAt: Scalars['DateTime']['output'];
  /** When an unused non-keep-alive session expires; null for keep-alive sessions. */
  expiresAt: Maybe<Scalars['DateTime']['output']>;
  failureReason: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** Refreshed in the background; never expires from idleness. */
  keepAlive: Scalars['Boolean']['output'];
  lastRefreshAt: Scalars['DateTime']['output'];
  lastUsedAt: Scalars['DateTime']['output'];
  owner: User;
  portal: Portal;
  state: PortalSessionState;
  username: Scalars['String']['output'];
};

export type PortalSessionEvent = {
  __typename?: 'PortalSessionEvent';
  at: Scalars['DateTime']['output'];
  /** The session as of this event. */
  session: PortalSession;
  type: PortalSessionEventType;
};

export type PortalSessionEventType =
  | 'CLOSED'
  | 'EXPIRED'
  | 'OPENED'
  | 'REFRESHED'
  | 'REFRESH_FAILED';

export type PortalSessionState =
  | 'ACTIVE'
  | 'CLOSED'
  | 'EXPIRED'
  | 'FAILED'
  | 'OPENING'
  | 'REFRESHING';

export type PortalSessionStats = {
  __typename?: 'PortalSessionStats';
  /** Live portal sessions (ACTIVE or REFRESHING; idle ones only before their deadline). */
  active: Scalars['Int']['output'];
  /** Live portal sessions the keeper refreshes in the background. */
  keepAlive: Scalars['Int']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** Admins: the audit trail, newest first. */
  auditLog: AuditEventConnection;
  currentSession: Session;
  health: Health;
  job: Maybe<Job>;
  /** Open jobs for everyone; employers also see their own closed jobs, admins all. */
  jobs: JobConnection;
  /** The signed-in user, read fresh on every request. */
  me: User;
  /** The caller’s live sessions, most recently active first. */
  mySessions: Array<Session>;
  node: Maybe<Node>;
  /** One of your portal sessions (admins: anyone’s); null when there is none you may see. */
  portalSession: Maybe<PortalSession>;
  /** Your portal sessions, newest first; all: true lists everyone’s (admins only). */
  portalSessions: Array<PortalSession>;
  portals: Array<Portal>;
  stats: Stats;
  user: Maybe<User>;
  userSessions: Array<Session>;
  users: UserConnection;
};


export type QueryAuditLogArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AuditFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryJobArgs = {
  id: Scalars['ID']['input'];
};


export type QueryJobsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<JobFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


export type QueryPortalSessionArgs = {
  id: Scalars['ID']['input'];
};


export type QueryPortalSessionsArgs = {
  all?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QueryUserArgs = {
  id: Scalars['ID']['input'];
};


export type QueryUserSessionsArgs = {
  includeInactive?: InputMaybe<Scalars['Boolean']['input']>;
  userId: Scalars['ID']['input'];
};


export type QueryUsersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<UserFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};

export type RevokedReason =
  | 'ACCOUNT_REJECTED'
  | 'ACCOUNT_SUSPENDED'
  | 'DEVICE_LIMIT'
  | 'EXPIRED'
  | 'PASSWORD_CHANGED'
  | 'REVOKED_BY_ADMIN'
  | 'REVOKED_BY_USER'
  | 'SIGNED_OUT';

export type Role =
  | 'ADMIN'
  | 'EMPLOYER'
  | 'MEMBER'
  | 'STAGE_MANAGER';

export type RoleCount = {
  __typename?: 'RoleCount';
  count: Scalars['Int']['output'];
  role: Role;
};

/** A signed-in device. The id is public; the token is never shown again after sign-in. */
export type Session = Node & {
  __typename?: 'Session';
  browser: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['DateTime']['output'];
  deviceName: Scalars['String']['output'];
  deviceType: DeviceType;
  expiresAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  idleExpiresAt: Scalars['DateTime']['output'];
  ipAddress: Maybe<Scalars['String']['output']>;
  isActive: Scalars['Boolean']['output'];
  /** True for the session the request was made with. */
  isCurrent: Scalars['Boolean']['output'];
  kind: SessionKind;
  lastActivityAt: Scalars['DateTime']['output'];
  os: Maybe<Scalars['String']['output']>;
  revokedAt: Maybe<Scalars['DateTime']['output']>;
  revokedReason: Maybe<RevokedReason>;
  user: User;
  userAgent: Maybe<Scalars['String']['output']>;
};

export type SessionEvent = {
  __typename?: 'SessionEvent';
  at: Scalars['DateTime']['output'];
  /** True when the event is about the subscriber’s own session (e.g. this device was signed out). */
  isCurrent: Scalars['Boolean']['output'];
  reason: Maybe<RevokedReason>;
  session: Session;
  type: SessionEventType;
};

export type SessionEventType =
  | 'CREATED'
  | 'EXPIRED'
  | 'REFRESHED'
  | 'REVOKED';

export type SessionKind =
  | 'DEBUG'
  | 'STANDARD';

export type SessionStats = {
  __typename?: 'SessionStats';
  active: Scalars['Int']['output'];
  byDeviceType: Array<DeviceTypeCount>;
  createdLast24h: Scalars['Int']['output'];
  revokedLast24h: Scalars['Int']['output'];
};

export type SignInInput = {
  device?: InputMaybe<DeviceInput>;
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
  /** After DeviceLimitReached: the session to sign out so this device can sign in, in one step. */
  replaceSessionId?: InputMaybe<Scalars['ID']['input']>;
};

export type SignInResult = AuthPayload | DeviceLimitReached;

export type SignUpInput = {
  device?: InputMaybe<DeviceInput>;
  email: Scalars['String']['input'];
  name: Scalars['String']['input'];
  password: Scalars['String']['input'];
  /** One of MEMBER, EMPLOYER, STAGE_MANAGER; EMPLOYER and STAGE_MANAGER need an admin's approval. */
  role?: InputMaybe<Role>;
};

/** Admin counters, read from the database on each request. */
export type Stats = {
  __typename?: 'Stats';
  jobs: JobStats;
  portalSessions: PortalSessionStats;
  sessions: SessionStats;
  users: UserStats;
};

export type Subscription = {
  __typename?: 'Subscription';
  /** The caller’s account status: the current state first, then every approval, rejection, suspension or role change. */
  accountStatusChanged: AccountStatusEvent;
  /** Jobs posted, updated, closed, reopened or deleted. With filter.employerId only that employer’s topic is heard. */
  jobEvents: JobEvent;
  /** Admins: accounts entering or leaving the approval queue. */
  pendingApprovals: PendingApprovalEvent;
  /** Your portal sessions opening, refreshing, failing, expiring and closing. Ends when your Gatehouse session ends. */
  portalSessionEvents: PortalSessionEvent;
  /** Changes to the caller’s sessions (CREATED is the new-device alert). Admins may pass another userId. When this session ends you get REVOKED or EXPIRED, then the socket closes with 4401. */
  sessionEvents: SessionEvent;
};


export type SubscriptionJobEventsArgs = {
  filter?: InputMaybe<JobFilter>;
};


export type SubscriptionSessionEventsArgs = {
  userId?: InputMaybe<Scalars['ID']['input']>;
};

export type UsePortalSessionPayload = {
  __typename?: 'UsePortalSessionPayload';
  /** Send as the Cookie header of requests to the portal. */
  cookieHeader: Scalars['String']['output'];
  session: PortalSession;
};

export type User = Node & {
  __typename?: 'User';
  /** True for an ACTIVE employer or admin (any ACTIVE user in DEV_MODE): a page can hide the job form instead of failing. */
  canPostJobs: Scalars['Boolean']['output'];
  createdAt: Scalars['DateTime']['output'];
  email: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  role: Role;
  status: UserStatus;
  statusReason: Maybe<Scalars['String']['output']>;
  updatedAt: Scalars['DateTime']['output'];
};

export type UserConnection = {
  __typename?: 'UserConnection';
  edges: Array<UserEdge>;
  pageInfo: PageInfo;
};

export type UserEdge = {
  __typename?: 'UserEdge';
  cursor: Scalars['String']['output'];
  node: User;
};

export type UserFilter = {
  role?: InputMaybe<Role>;
  /** Matches part of the email or name. */
  search?: InputMaybe<Scalars['String']['input']>;
  status?: InputMaybe<UserStatus>;
};

export type UserStats = {
  __typename?: 'UserStats';
  active: Scalars['Int']['output'];
  byRole: Array<RoleCount>;
  pending: Scalars['Int']['output'];
  rejected: Scalars['Int']['output'];
  suspended: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
};

export type UserStatus =
  | 'ACTIVE'
  | 'PENDING'
  | 'REJECTED'
  | 'SUSPENDED';

export type ConsoleUserFragment = { __typename?: 'User', id: string, email: string, name: string, role: Role, status: UserStatus, statusReason: string | null, canPostJobs: boolean, createdAt: string };

export type ConsoleSessionFragment = { __typename?: 'Session', id: string, kind: SessionKind, deviceName: string, deviceType: DeviceType, browser: string | null, os: string | null, ipAddress: string | null, createdAt: string, lastActivityAt: string, isActive: boolean, isCurrent: boolean, revokedAt: string | null, revokedReason: RevokedReason | null };

export type SignUpMutationVariables = Exact<{
  input: SignUpInput;
}>;


export type SignUpMutation = { __typename?: 'Mutation', signUp: { __typename?: 'AuthPayload', token: string, user: { __typename?: 'User', id: string, email: string, name: string, role: Role, status: UserStatus, statusReason: string | null, canPostJobs: boolean, createdAt: string } } };

export type SignInMutationVariables = Exact<{
  input: SignInInput;
}>;


export type SignInMutation = { __typename?: 'Mutation', signIn: { __typename: 'AuthPayload', token: string, user: { __typename?: 'User', id: string, email: string, name: string, role: Role, status: UserStatus, statusReason: string | null, canPostJobs: boolean, createdAt: string } } | { __typename: 'DeviceLimitReached', limit: number, message: string, activeSessions: Array<{ __typename?: 'Session', id: string, kind: SessionKind, deviceName: string, deviceType: DeviceType, browser: string | null, os: string | null, ipAddress: string | null, createdAt: string, lastActivityAt: string, isActive: boolean, isCurrent: boolean, revokedAt: string | null, revokedReason: RevokedReason | null }> } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { __typename?: 'Query', me: { __typename?: 'User', id: string, email: string, name: string, role: Role, status: UserStatus, statusReason: string | null, canPostJobs: boolean, createdAt: string } };

export type RefreshSessionMutationVariables = Exact<{ [key: string]: never; }>;


export type RefreshSessionMutation = { __typename?: 'Mutation', refreshSession: { __typename?: 'AuthPayload', token: string, user: { __typename?: 'User', id: string, email: string, name: string, role: Role, status: UserStatus, statusReason: string | null, canPostJobs: boolean, createdAt: string } } };

export type AccountStatusSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type AccountStatusSubscription = { __typename?: 'Subscription', accountStatusChanged: { __typename?: 'AccountStatusEvent', status: UserStatus, previousStatus: UserStatus | null, reason: string | null, role: Role, at: string, user: { __typename?: 'User', id: string, email: string, name: string, role: Role, status: UserStatus, statusReason: string | null, canPostJobs: boolean, createdAt: string } } };

export type PendingUsersQueryVariables = Exact<{ [key: string]: never; }>;


export type PendingUsersQuery = { __typename?: 'Query', users: { __typename?: 'UserConnection', edges: Array<{ __typename?: 'UserEdge', node: { __typename?: 'User', id: string, email: string, name: string, role: Role, status: UserStatus, statusReason: string | null, canPostJobs: boolean, createdAt: string } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean } } };

export type PendingApprovalsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type PendingApprovalsSubscription = { __typename?: 'Subscription', pendingApprovals: { __typename?: 'PendingApprovalEvent', type: PendingApprovalEventType, at: string, user: { __typename?: 'User', id: string, email: string, name: string, role: Role, status: UserStatus, statusReason: string | null, canPostJobs: boolean, createdAt: string } } };

export type UsersQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<UserFilter>;
}>;


export type UsersQuery = { __typename?: 'Query', users: { __typename?: 'UserConnection', edges: Array<{ __typename?: 'UserEdge', cursor: string, node: { __typename?: 'User', id: string, email: string, name: string, role: Role, status: UserStatus, statusReason: string | null, canPostJobs: boolean, createdAt: string } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } };

export type UserSessionsQueryVariables = Exact<{
  userId: Scalars['ID']['input'];
  includeInactive?: InputMaybe<Scalars['Boolean']['input']>;
}>;


export type UserSessionsQuery = { __typename?: 'Query', userSessions: Array<{ __typename?: 'Session', id: string, kind: SessionKind, deviceName: string, deviceType: DeviceType, browser: string | null, os: string | null, ipAddress: string | null, createdAt: string, lastActivityAt: string, isActive: boolean, isCurrent: boolean, revokedAt: string | null, revokedReason: RevokedReason | null }> };

export type ApproveUserMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type ApproveUserMutation = { __typename?: 'Mutation', approveUser: { __typename?: 'User', id: string, email: string, name: string, role: Role, status: UserStatus, statusReason: string | null, canPostJobs: boolean, createdAt: string } };

export type RejectUserMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
}>;


export type RejectUserMutation = { __typename?: 'Mutation', rejectUser: { __typename?: 'User', id: string, email: string, name: string, role: Role, status: UserStatus, statusReason: string | null, canPostJobs: boolean, createdAt: string } };

export type SuspendUserMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
}>;


export type SuspendUserMutation = { __typename?: 'Mutation', suspendUser: { __typename?: 'User', id: string, email: string, name: string, role: Role, status: UserStatus, statusReason: string | null, canPostJobs: boolean, createdAt: string } };

export type ReactivateUserMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type ReactivateUserMutation = { __typename?: 'Mutation', reactivateUser: { __typename?: 'User', id: string, email: string, name: string, role: Role, status: UserStatus, statusReason: string | null, canPostJobs: boolean, createdAt: string } };

export type AuditLogQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AuditFilter>;
}>;


export type AuditLogQuery = { __typename?: 'Query', auditLog: { __typename?: 'AuditEventConnection', edges: Array<{ __typename?: 'AuditEventEdge', node: { __typename?: 'AuditEvent', id: string, at: string, action: string, actorId: string | null, targetType: string | null, targetId: string | null, ipAddress: string | null, detail: unknown | null, actor: { __typename?: 'User', id: string, email: string } | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } };

export type MySessionsQueryVariables = Exact<{ [key: string]: never; }>;


export type MySessionsQuery = { __typename?: 'Query', mySessions: Array<{ __typename?: 'Session', id: string, kind: SessionKind, deviceName: string, deviceType: DeviceType, browser: string | null, os: string | null, ipAddress: string | null, createdAt: string, lastActivityAt: string, isActive: boolean, isCurrent: boolean, revokedAt: string | null, revokedReason: RevokedReason | null }> };

export type SignOutMutationVariables = Exact<{ [key: string]: never; }>;


export type SignOutMutation = { __typename?: 'Mutation', signOut: boolean };

export type RevokeSessionMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type RevokeSessionMutation = { __typename?: 'Mutation', revokeSession: { __typename?: 'Session', id: string, kind: SessionKind, deviceName: string, deviceType: DeviceType, browser: string | null, os: string | null, ipAddress: string | null, createdAt: string, lastActivityAt: string, isActive: boolean, isCurrent: boolean, revokedAt: string | null, revokedReason: RevokedReason | null } };

export type RevokeOtherSessionsMutationVariables = Exact<{ [key: string]: never; }>;


export type RevokeOtherSessionsMutation = { __typename?: 'Mutation', revokeOtherSessions: number };

export type RevokeAllSessionsMutationVariables = Exact<{
  userId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type RevokeAllSessionsMutation = { __typename?: 'Mutation', revokeAllSessions: number };

export type SessionEventsSubscriptionVariables = Exact<{
  userId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type SessionEventsSubscription = { __typename?: 'Subscription', sessionEvents: { __typename?: 'SessionEvent', type: SessionEventType, reason: RevokedReason | null, isCurrent: boolean, at: string, session: { __typename?: 'Session', id: string, kind: SessionKind, deviceName: string, deviceType: DeviceType, browser: string | null, os: string | null, ipAddress: string | null, createdAt: string, lastActivityAt: string, isActive: boolean, isCurrent: boolean, revokedAt: string | null, revokedReason: RevokedReason | null } } };

export const ConsoleUserFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"canPostJobs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<ConsoleUserFragment, unknown>;
export const ConsoleSessionFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSession"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"deviceName"}},{"kind":"Field","name":{"kind":"Name","value":"deviceType"}},{"kind":"Field","name":{"kind":"Name","value":"browser"}},{"kind":"Field","name":{"kind":"Name","value":"os"}},{"kind":"Field","name":{"kind":"Name","value":"ipAddress"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastActivityAt"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedReason"}}]}}]} as unknown as DocumentNode<ConsoleSessionFragment, unknown>;
export const SignUpDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SignUp"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SignUpInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signUp"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleUser"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"canPostJobs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<SignUpMutation, SignUpMutationVariables>;
export const SignInDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SignIn"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SignInInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signIn"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleUser"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeviceLimitReached"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"limit"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"activeSessions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleSession"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"canPostJobs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSession"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"deviceName"}},{"kind":"Field","name":{"kind":"Name","value":"deviceType"}},{"kind":"Field","name":{"kind":"Name","value":"browser"}},{"kind":"Field","name":{"kind":"Name","value":"os"}},{"kind":"Field","name":{"kind":"Name","value":"ipAddress"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastActivityAt"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedReason"}}]}}]} as unknown as DocumentNode<SignInMutation, SignInMutationVariables>;
export const MeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleUser"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"canPostJobs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<MeQuery, MeQueryVariables>;
export const RefreshSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RefreshSession"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refreshSession"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleUser"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"canPostJobs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<RefreshSessionMutation, RefreshSessionMutationVariables>;
export const AccountStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"AccountStatus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accountStatusChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"previousStatus"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleUser"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"canPostJobs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<AccountStatusSubscription, AccountStatusSubscriptionVariables>;
export const PendingUsersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PendingUsers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"users"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"status"},"value":{"kind":"EnumValue","value":"PENDING"}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleUser"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"canPostJobs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<PendingUsersQuery, PendingUsersQueryVariables>;
export const PendingApprovalsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"PendingApprovals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pendingApprovals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleUser"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"canPostJobs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<PendingApprovalsSubscription, PendingApprovalsSubscriptionVariables>;
export const UsersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Users"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UserFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"users"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleUser"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"canPostJobs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<UsersQuery, UsersQueryVariables>;
export const UserSessionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UserSessions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"includeInactive"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userSessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}},{"kind":"Argument","name":{"kind":"Name","value":"includeInactive"},"value":{"kind":"Variable","name":{"kind":"Name","value":"includeInactive"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleSession"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSession"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"deviceName"}},{"kind":"Field","name":{"kind":"Name","value":"deviceType"}},{"kind":"Field","name":{"kind":"Name","value":"browser"}},{"kind":"Field","name":{"kind":"Name","value":"os"}},{"kind":"Field","name":{"kind":"Name","value":"ipAddress"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastActivityAt"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedReason"}}]}}]} as unknown as DocumentNode<UserSessionsQuery, UserSessionsQueryVariables>;
export const ApproveUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ApproveUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"approveUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleUser"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"canPostJobs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<ApproveUserMutation, ApproveUserMutationVariables>;
export const RejectUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RejectUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"reason"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rejectUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"reason"},"value":{"kind":"Variable","name":{"kind":"Name","value":"reason"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleUser"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"canPostJobs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<RejectUserMutation, RejectUserMutationVariables>;
export const SuspendUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SuspendUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"reason"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"suspendUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"reason"},"value":{"kind":"Variable","name":{"kind":"Name","value":"reason"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleUser"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"canPostJobs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<SuspendUserMutation, SuspendUserMutationVariables>;
export const ReactivateUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReactivateUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reactivateUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleUser"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"canPostJobs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<ReactivateUserMutation, ReactivateUserMutationVariables>;
export const AuditLogDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AuditLog"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AuditFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditLog"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"actorId"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"targetType"}},{"kind":"Field","name":{"kind":"Name","value":"targetId"}},{"kind":"Field","name":{"kind":"Name","value":"ipAddress"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<AuditLogQuery, AuditLogQueryVariables>;
export const MySessionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MySessions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"mySessions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleSession"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSession"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"deviceName"}},{"kind":"Field","name":{"kind":"Name","value":"deviceType"}},{"kind":"Field","name":{"kind":"Name","value":"browser"}},{"kind":"Field","name":{"kind":"Name","value":"os"}},{"kind":"Field","name":{"kind":"Name","value":"ipAddress"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastActivityAt"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedReason"}}]}}]} as unknown as DocumentNode<MySessionsQuery, MySessionsQueryVariables>;
export const SignOutDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SignOut"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signOut"}}]}}]} as unknown as DocumentNode<SignOutMutation, SignOutMutationVariables>;
export const RevokeSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleSession"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSession"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"deviceName"}},{"kind":"Field","name":{"kind":"Name","value":"deviceType"}},{"kind":"Field","name":{"kind":"Name","value":"browser"}},{"kind":"Field","name":{"kind":"Name","value":"os"}},{"kind":"Field","name":{"kind":"Name","value":"ipAddress"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastActivityAt"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedReason"}}]}}]} as unknown as DocumentNode<RevokeSessionMutation, RevokeSessionMutationVariables>;
export const RevokeOtherSessionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeOtherSessions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeOtherSessions"}}]}}]} as unknown as DocumentNode<RevokeOtherSessionsMutation, RevokeOtherSessionsMutationVariables>;
export const RevokeAllSessionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeAllSessions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeAllSessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}}]}]}}]} as unknown as DocumentNode<RevokeAllSessionsMutation, RevokeAllSessionsMutationVariables>;
export const SessionEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"SessionEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleSession"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSession"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"deviceName"}},{"kind":"Field","name":{"kind":"Name","value":"deviceType"}},{"kind":"Field","name":{"kind":"Name","value":"browser"}},{"kind":"Field","name":{"kind":"Name","value":"os"}},{"kind":"Field","name":{"kind":"Name","value":"ipAddress"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastActivityAt"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedReason"}}]}}]} as unknown as DocumentNode<SessionEventsSubscription, SessionEventsSubscriptionVariables>;
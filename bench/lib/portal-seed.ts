// Seeding for the keeper scenarios: many keep-alive portal sessions written straight into the store, all
// due for a refresh and all sharing one live upstream cookie (one real login instead of thousands).
import type { Db } from '../../src/db/open.js';
import type { Config } from '../../src/config.js';
import { loadOrCreateSecret } from '../../src/lib/secret.js';
import { derivePortalKeys, encrypt } from '../../src/portal/crypto.js';
import { SqlitePortalStore, type NewPortalSession } from '../../src/portal/store.js';

export interface DuePortalSessions {
  db: Db;
  config: Config;
  count: number;
  ownerId: string;
  portalId: string;
  /** Id and username prefix, so several seedings do not collide. */
  prefix: string;
  password: string;
  cookies: Record<string, string>;
  /** Unix seconds; the sessions were last refreshed up to 49 s before it. */
  now: number;
}

/** Inserts `count` ACTIVE keep-alive portal sessions, encrypted as the service would, in one batch. */
export async function seedDuePortalSessions(options: DuePortalSessions): Promise<void> {
  const { db, config, count, ownerId, portalId, prefix, password, cookies, now } = options;
  const keys = derivePortalKeys(loadOrCreateSecret(config));
  const rows: NewPortalSession[] = Array.from({ length: count }, (_, i) => {
    const id = `pss_${prefix}${String(i).padStart(6, '0')}`;
    return {
      id,
      ownerId,
      portalId,
      username: `${prefix}${i}`,
      credentialKey: `${prefix}-key-${i}`,
      keepAlive: true,
      state: 'ACTIVE',
      encryptedPassword: encrypt(keys.encryption, password, `${id}:password`),
      encryptedCookies: encrypt(keys.encryption, JSON.stringify(cookies), `${id}:cookies`),
      createdAt: now,
      lastUsedAt: now,
      lastRefreshAt: now - (i % 50),
      expiresAt: null,
      endedAt: null,
      failureReason: null,
    };
  });
  await new SqlitePortalStore(db).insertSessions(rows);
}

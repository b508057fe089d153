/**
 * The web console in a real browser: Debian's chromium driven by playwright-core, against the real
 * app on port 0. Two (or three) browser contexts stand for different people, so each has its own
 * localStorage token. Screenshots of each page go to test-artifacts/console/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { MeDocument, MySessionsDocument, RevokeSessionDocument, SignInDocument, SignUpDocument } from '../generated/graphql.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, errorOf, gql, gqlData, onCleanup, startTestApp, type TestApp } from '../utils/app.js';
import { waitFor } from '../utils/queue.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ARTIFACTS = 'test-artifacts/console';
const TOKEN_KEY = 'gatehouse.console.token';
/** Budget for one UI expectation; live updates arrive in milliseconds, the rest is slack for a busy 2-core machine. */
const UI_TIMEOUT = 10_000;

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0';
const SAFARI_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';

let browser: Browser;

beforeAll(async () => {
  // Build console/dist when it is missing or older than its sources (a fresh clone builds it here).
  const require = createRequire(import.meta.url);
  execFileSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/build-console.ts', '--if-stale'], { stdio: 'inherit' });
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), or set CHROMIUM_PATH.`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** A fresh browser profile (its own localStorage) on the console; page errors fail the test. */
async function openConsole(t: TestApp, path = '', userAgent?: string): Promise<Page> {
  const context = await browser.newContext({ userAgent, viewport: { width: 1200, height: 760 } });
  onCleanup(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  onCleanup(() => expect(errors, 'uncaught errors in the page').toEqual([]));
  await page.goto(consoleUrl(t) + path);
  return page;
}

function consoleUrl(t: TestApp): string {
  return t.url.replace(/\/graphql$/, '/console/');
}

async function signInWithForm(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signUpWithForm(page: Page, input: { name: string; email: string; password: string; role?: string }) {
  await page.getByLabel('Name').fill(input.name);
  await page.getByLabel('Email').fill(input.email);
  await page.getByLabel('Password').fill(input.password);
  if (input.role) await page.getByLabel('Account type').selectOption(input.role);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/** Marks the page; {@link expectNotReloaded} proves it was updated in place. */
async function markPage(page: Page) {
  await page.evaluate(() => ((window as unknown as { consoleMark: number }).consoleMark = 1));
}
async function expectNotReloaded(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { consoleMark?: number }).consoleMark)).toBe(1);
}

async function tokenIn(page: Page): Promise<string | null> {
  return page.evaluate((key) => window.localStorage.getItem(key), TOKEN_KEY);
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

/** Signs a user in over HTTP from another "device" (its User-Agent names it). */
async function signInAs(url: string, email: string, password: string, userAgent: string): Promise<string> {
  const data = await gqlData(url, SignInDocument, { input: { email, password } }, { headers: { 'user-agent': userAgent } });
  if (data.signIn.__typename !== 'AuthPayload') throw new Error(`${email} hit the device limit`);
  return data.signIn.token;
}

async function signUpAs(url: string, input: { email: string; password: string; name: string }, userAgent: string) {
  return (await gqlData(url, SignUpDocument, { input }, { headers: { 'user-agent': userAgent } })).signUp;
}

describe('web console in chromium', { timeout: 60_000 }, () => {
  it('sign-up lands on the waiting page; the admin approves live and it turns into the dashboard; a rejection shows its reason', async () => {
    const t = await startTestApp();
    const user = await openConsole(t, 'sign-up');
    await signUpWithForm(user, { name: 'Ada Employer', email: 'ada@example.test', password: 'ada-password-1', role: 'EMPLOYER' });
    await user.getByRole('heading', { name: 'Waiting for approval' }).waitFor();
    expect(await user.getByText('ada@example.test').isVisible()).toBe(true);
    await user.locator('.pill-live').waitFor();
    await shot(user, 'pending');
    await markPage(user);
    const pendingToken = await tokenIn(user);

    const admin = await openConsole(t);
    await signInWithForm(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
    await admin.getByRole('heading', { name: 'Welcome, Administrator' }).waitFor();
    await admin.getByRole('navigation').getByRole('link', { name: 'Approvals' }).click();
    await admin.locator('li[data-user-email="ada@example.test"]').waitFor();
    await waitFor(() => t.app.events.subscriberCount('admins') >= 1, 'the admin page’s pendingApprovals subscription');
    await markPage(admin);

    // A request made while the admin watches appears without a reload.
    const second = await openConsole(t, 'sign-up');
    await signUpWithForm(second, { name: 'Bo Stage', email: 'bo@example.test', password: 'bo-password-12', role: 'STAGE_MANAGER' });
    await second.getByRole('heading', { name: 'Waiting for approval' }).waitFor();
    await admin.locator('li[data-user-email="bo@example.test"]').waitFor();
    await admin.getByRole('list', { name: 'Recent approval activity' }).getByText('Bo Stage').waitFor();
    await expectNotReloaded(admin);
    await shot(admin, 'approvals');

    // Approve: the waiting page becomes the dashboard in place, and the token was rotated (refreshSession).
    await admin.locator('li[data-user-email="ada@example.test"]').getByRole('button', { name: 'Approve' }).click();
    await user.getByRole('heading', { name: 'Welcome, Ada Employer' }).waitFor();
    await user.getByText('Your account was approved').waitFor();
    await expectNotReloaded(user);
    expect(await user.locator('.badge-active').textContent()).toBe('Active');
    await expect.poll(() => tokenIn(user)).not.toBe(pendingToken);
    expect((await gqlData(t.url, MeDocument, undefined, { token: (await tokenIn(user))! })).me.status).toBe('ACTIVE');
    await admin.locator('li[data-user-email="ada@example.test"]').waitFor({ state: 'detached' });
    await shot(user, 'dashboard');

    // Reject with a reason: the second user's page says so, with the reason, and forgets the token.
    const bo = admin.locator('li[data-user-email="bo@example.test"]');
    await bo.getByRole('button', { name: 'Reject' }).click();
    await bo.getByLabel('Reason for rejecting bo@example.test').fill('Unknown company');
    await bo.getByRole('button', { name: 'Confirm rejection' }).click();
    await second.getByText('Your account request was rejected.').waitFor();
    await second.getByText('Reason: Unknown company').waitFor();
    await second.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await tokenIn(second)).toBeNull();
    await shot(second, 'rejected');
    await bo.waitFor({ state: 'detached' });
    await admin.getByText('No accounts are waiting for approval.').waitFor();
  });

  it('explains sign-in and sign-up errors by code: wrong password, password policy, lock with a countdown', async () => {
    const t = await startTestApp({ SIGNIN_LOCK_THRESHOLD: '1' });
    const page = await openConsole(t, 'sign-up');
    await signUpWithForm(page, { name: 'Cy', email: 'cy@example.test', password: 'short' });
    const passwordField = page.locator('.field', { hasText: 'Password' });
    await passwordField.locator('.field-error').getByText('must be at least 10 characters').waitFor();
    await page.getByText('Some fields need attention').waitFor();
    await signUpWithForm(page, { name: 'Cy', email: 'cy@example.test', password: 'password123' });
    await passwordField.locator('.field-error').getByText('one of the most common passwords').waitFor();
    await shot(page, 'sign-up-errors');

    await page.getByRole('link', { name: 'Sign in' }).click();
    await signInWithForm(page, 'cy@example.test', 'wrong-password-1');
    await page.getByRole('alert').getByText('Wrong email or password. Check both and try again.').waitFor();
    await signInWithForm(page, 'cy@example.test', 'wrong-password-2');
    await page.getByText('Too many failed sign-ins for this account').waitFor();
    await page.getByText('Try again in 30 seconds.').waitFor();
    const button = page.getByRole('button', { name: /Locked: wait \d+ s/ });
    expect(await button.isDisabled()).toBe(true);
    await shot(page, 'sign-in-locked');
    expect(await page.locator('body').textContent()).not.toMatch(/network/i);
  });

  it('device limit: lists the three devices; signing one out signs this browser in; then "sign out everywhere"', async () => {
    const t = await startTestApp();
    const password = 'dee-password-1';
    const first = await signUpAs(t.url, { email: 'dee@example.test', password, name: 'Dee' }, FIREFOX_WINDOWS);
    const mac = await signInAs(t.url, 'dee@example.test', password, SAFARI_MAC);
    const phone = await signInAs(t.url, 'dee@example.test', password, IPHONE);

    const page = await openConsole(t);
    await signInWithForm(page, 'dee@example.test', password);
    await page.getByRole('heading', { name: 'Too many devices' }).waitFor();
    const devices = page.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem');
    expect(await devices.count()).toBe(3);
    const names = await page.locator('.device-name').allTextContents();
    expect(names.sort()).toEqual(['Firefox on Windows 10', 'Mobile Safari on iOS 17.1', 'Safari on Mac OS 10.15.7']);
    await shot(page, 'device-limit');

    await devices.filter({ hasText: 'Safari on Mac OS' }).getByRole('radio').check();
    await page.getByRole('button', { name: 'Sign out the chosen device and sign in' }).click();
    await page.getByRole('heading', { name: 'Welcome, Dee' }).waitFor();
    const replaced = await gql(t.url, MeDocument, undefined, { token: mac });
    expect(replaced.status).toBe(401);
    expect(errorOf(replaced)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
    expect((await gql(t.url, MeDocument, undefined, { token: phone })).status).toBe(200);

    await page.getByRole('navigation').getByRole('link', { name: 'My devices' }).click();
    const mine = page.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem');
    await expect.poll(() => mine.count()).toBe(3);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByText('You signed out on all devices.').waitFor();
    expect(await tokenIn(page)).toBeNull();
    for (const token of [first.token, phone]) expect((await gql(t.url, MeDocument, undefined, { token })).status).toBe(401);
  });

  it('my devices: a new sign-in appears live with an alert; sign out one and the others; a revocation from elsewhere returns to sign-in', async () => {
    const t = await startTestApp();
    const password = 'eve-password-1';
    const laptop = await signUpAs(t.url, { email: 'eve@example.test', password, name: 'Eve' }, FIREFOX_WINDOWS);
    const page = await openConsole(t);
    await signInWithForm(page, 'eve@example.test', password);
    await page.getByRole('heading', { name: 'Welcome, Eve' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'My devices' }).click();
    const rows = page.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem');
    await expect.poll(() => rows.count()).toBe(2);
    await rows.filter({ hasText: 'This device' }).waitFor();
    await waitFor(() => t.app.events.subscriberCount('user:sessions', laptop.user.id) >= 1, 'the page’s sessionEvents subscription');
    await markPage(page);

    // A new device signs in: the row and the alert appear without a reload.
    const phone = await signInAs(t.url, 'eve@example.test', password, IPHONE);
    const phoneRow = rows.filter({ hasText: 'Mobile Safari on iOS 17.1' });
    await phoneRow.getByText('New', { exact: true }).waitFor();
    const alert = page.getByTestId('new-device-alert');
    await alert.getByText('Mobile Safari on iOS 17.1').waitFor();
    await expectNotReloaded(page);
    await shot(page, 'devices');

    // Sign that one out.
    await phoneRow.getByRole('button', { name: 'Sign out' }).click();
    await phoneRow.waitFor({ state: 'detached' });
    await page.getByText('Signed out Mobile Safari on iOS 17.1.').waitFor();
    expect(errorOf(await gql(t.url, MeDocument, undefined, { token: phone }))).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await alert.waitFor({ state: 'detached' });

    // Sign out the others (the laptop and a Mac that just signed in).
    const mac = await signInAs(t.url, 'eve@example.test', password, SAFARI_MAC);
    await rows.filter({ hasText: 'Safari on Mac OS' }).waitFor();
    await page.getByRole('button', { name: 'Sign out other devices' }).click();
    await page.getByText('Signed out 2 other devices.').waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    for (const token of [laptop.token, mac]) expect((await gql(t.url, MeDocument, undefined, { token })).status).toBe(401);

    // Another device signs this browser out: the page says so and shows sign-in, without a reload.
    const tablet = await signInAs(t.url, 'eve@example.test', password, FIREFOX_WINDOWS);
    await rows.filter({ hasText: 'Firefox on Windows 10' }).waitFor();
    const browserToken = await tokenIn(page);
    const sessions = await gqlData(t.url, MySessionsDocument, undefined, { token: tablet });
    const browserSession = sessions.mySessions.find((s) => !s.isCurrent)!;
    await gqlData(t.url, RevokeSessionDocument, { id: browserSession.id }, { token: tablet });
    await page.getByText('This device was signed out from another device.').waitFor();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await tokenIn(page)).toBeNull();
    await expectNotReloaded(page);
    await shot(page, 'signed-out');

    // A stale token met over HTTP (401 UNAUTHENTICATED) also lands on sign-in with the reason, never "Network error".
    await page.evaluate(([key, token]) => window.localStorage.setItem(key, token), [TOKEN_KEY, browserToken!] as const);
    await page.reload();
    await page.getByText('This device was signed out.').waitFor();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.locator('body').textContent()).not.toMatch(/network/i);
    expect(await tokenIn(page)).toBeNull();
  });

  it('a session that expires while open returns to sign-in saying so (EXPIRED event, then the 4401 close)', async () => {
    const t = await startTestApp();
    const gil = await signUpAs(t.url, { email: 'gil@example.test', password: 'gil-password-1', name: 'Gil' }, FIREFOX_WINDOWS);
    // A token saved by an earlier visit: the console starts signed in.
    const page = await openConsole(t);
    await page.evaluate(([key, token]) => window.localStorage.setItem(key, token), [TOKEN_KEY, gil.token] as const);
    await page.reload();
    await page.getByRole('heading', { name: 'Welcome, Gil' }).waitFor();
    await waitFor(() => t.app.events.subscriberCount('user:sessions', gil.user.id) >= 1, 'the sessionEvents subscription');
    t.clock.advance(25 * 3600);
    expect(await t.app.sweep()).toBe(1);
    await page.getByText('Your session expired.').waitFor();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await tokenIn(page)).toBeNull();
  });

  it('admin: user list with sessions per user, revoke one, suspend (the user is signed out with the reason), reactivate, audit log', async () => {
    const t = await startTestApp();
    const password = 'fay-password-1';
    const fay = await signUpAs(t.url, { email: 'fay@example.test', password, name: 'Fay Member' }, FIREFOX_WINDOWS);
    const phone = await signInAs(t.url, 'fay@example.test', password, IPHONE);
    const user = await openConsole(t);
    await signInWithForm(user, 'fay@example.test', password);
    await user.getByRole('heading', { name: 'Welcome, Fay Member' }).waitFor();

    const admin = await openConsole(t, 'admin/users');
    await signInWithForm(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
    await admin.getByRole('heading', { name: 'Users' }).waitFor(); // the deep link survives sign-in
    await admin.getByLabel('Search users').fill('fay');
    await admin.getByRole('button', { name: 'Search' }).click();
    const row = admin.locator('li[data-user-email="fay@example.test"]');
    await row.waitFor();
    await expect.poll(() => admin.getByRole('list', { name: 'Users' }).locator(':scope > li').count()).toBe(1);
    await row.getByRole('button', { name: 'Devices' }).click();
    const devices = row.locator('.subpanel li');
    await expect.poll(() => devices.count()).toBe(3);
    await shot(admin, 'users');

    // Revoke the phone.
    await devices.filter({ hasText: 'Mobile Safari on iOS 17.1' }).getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => devices.count()).toBe(2);
    expect(errorOf(await gql(t.url, MeDocument, undefined, { token: phone }))).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });

    // Suspend: the user's open console is signed out at once, with the reason.
    await row.getByRole('button', { name: 'Suspend' }).click();
    await row.getByLabel('Reason for suspending fay@example.test').fill('Abuse report #12');
    await row.getByRole('button', { name: 'Confirm suspension' }).click();
    await row.locator('.badge-suspended').waitFor();
    await row.getByText('Abuse report #12').waitFor();
    await user.getByText('Your account was suspended.').waitFor();
    await user.getByText('Reason: Abuse report #12').waitFor();
    expect(await tokenIn(user)).toBeNull();
    await shot(user, 'suspended');
    await row.getByText('No active sessions.').waitFor();
    expect((await gql(t.url, MeDocument, undefined, { token: fay.token })).status).toBe(401);

    // Reactivate, then read the audit trail.
    await row.getByRole('button', { name: 'Reactivate' }).click();
    await row.locator('.badge-active').waitFor();
    await admin.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    const entries = admin.getByRole('table', { name: 'Audit entries' });
    for (const action of ['user.reactivated', 'user.suspended', 'session.revoked', 'user.signed_up']) {
      await entries.locator(`tr[data-action="${action}"]`).first().waitFor();
    }
    expect(await entries.locator('tr[data-action="user.suspended"]').first().textContent()).toContain(ADMIN_EMAIL);
    await shot(admin, 'audit');
    await admin.getByLabel('Action filter').selectOption('user.suspended');
    await expect.poll(() => entries.locator('tbody tr').count()).toBe(1);
  });
});

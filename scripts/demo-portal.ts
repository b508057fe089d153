/**
 * A stand-in upstream portal for trying the portal session pool by hand (README, "Portal session
 * pool"): the same server the tests use, on 127.0.0.1:4100 (or DEMO_PORTAL_PORT), with one account
 * alice / alice-portal-pw. `POST /logout-all` logs every session out on the portal side.
 */
import { CLIENT_FIELD, LOGIN_PAGE_TEXT, startTestPortal } from '../test/utils/test-portal.js';

const port = Number(process.env.DEMO_PORTAL_PORT ?? 4100);
const portal = await startTestPortal({ alice: 'alice-portal-pw' }, port);
console.log(`Demo portal on ${portal.origin}`);
console.log(`  login form:  POST ${portal.loginUrl}  (fields: user, pass, client=${CLIENT_FIELD.client})`);
console.log(`  keep-alive:  GET  ${portal.keepAliveUrl}`);
console.log(`  logged-out page text: "${LOGIN_PAGE_TEXT}"`);
console.log(`  log everyone out: curl -X POST ${portal.origin}/logout-all`);
const stop = () => void portal.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// Scenario 7's upstream: the local test portal (test/utils/test-portal.ts: HTML form login, session cookie,
// keep-alive URL) in its own process on 127.0.0.1:0, with one account. Prints `URL <origin>`; answers
// `info` (login and keep-alive URLs, form fields, counters); stops on SIGTERM/SIGINT or when stdin closes.
import { CLIENT_FIELD, LOGIN_PAGE_TEXT, startTestPortal } from '../../test/utils/test-portal.js';
import { serveControl } from '../lib/control.js';

const USERNAME = 'bench';
const PASSWORD = 'bench-portal-pw';
const portal = await startTestPortal({ [USERNAME]: PASSWORD });
serveControl(
  {
    info: () => ({
      loginUrl: portal.loginUrl,
      keepAliveUrl: portal.keepAliveUrl,
      username: USERNAME,
      password: PASSWORD,
      extraFields: CLIENT_FIELD,
      loggedOutPattern: LOGIN_PAGE_TEXT,
      logins: portal.logins,
      keepAlives: portal.keepAlives,
    }),
  },
  () => portal.stop(),
);
process.stdout.write(`URL ${portal.origin}\n`);

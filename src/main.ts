/**
 * The `gatehouse` command line. Only argument parsing and printing live here; the verbs are in
 * src/cli/commands.ts and do their work through the app's services.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { migrate, openDatabase, schemaVersion } from './db/open.js';
import { tuneV8ForServer } from './lib/v8-tuning.js';
// The server (yoga, Pothos) is loaded only by `serve`, so operator verbs start fast.
import * as cli from './cli/commands.js';

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  serve                                   Serve GraphQL, GraphiQL and graphql-ws on http://HOST:PORT/graphql
  migrate                                 Bring the database schema up to date and exit
  status [--json]                         Sessions, users, pending approvals, portal sessions, database size
  user create --email E [--role R] [--admin] [--name N] [--password P]
  user approve|suspend|reactivate EMAIL [--reason TEXT]
  sessions list [--user EMAIL] [--all] [--json]
  sessions revoke ID | --user EMAIL       Ends sessions; connected clients are told live
  sessions create --user EMAIL [--ttl 1h] A DEBUG session for support, printed once, audited
  doctor                                  Checks config, database integrity, migrations, secret file, clock
  backup PATH                             Online, consistent copy of the database (safe while serving)

Configuration comes from environment variables (README: Configuration).
Run "gatehouse <command> --help" for a command's options.`;

const HELP: Record<string, string> = {
  serve: 'gatehouse serve\n\nServe the API. Env: PORT, HOST, DATABASE_PATH, … (README: Configuration).',
  migrate: 'gatehouse migrate\n\nApply pending schema migrations to DATABASE_PATH and exit.',
  status: 'gatehouse status [--json]\n\nSessions active/expired/revoked, users by status, pending approvals,\nportal sessions, database size and schema version.',
  user: 'gatehouse user create --email EMAIL [--role MEMBER|EMPLOYER|STAGE_MANAGER|ADMIN] [--admin] [--name NAME] [--password PW]\ngatehouse user approve|suspend|reactivate EMAIL [--reason TEXT]\n\nWithout --password a password is generated and printed once.',
  sessions:
    'gatehouse sessions list [--user EMAIL] [--all] [--json]\ngatehouse sessions revoke ID | --user EMAIL\ngatehouse sessions create --user EMAIL [--ttl 1h]\n\nLists show the token prefix only. Revocations reach connected clients of a running server within a second.',
  doctor: 'gatehouse doctor\n\nChecks configuration, database integrity, migrations, the secret file permissions and the clock.\nExits 1 if anything needs fixing, with what to do.',
  backup: 'gatehouse backup PATH\n\nWrites a consistent copy of the database to PATH using SQLite\'s online backup API.',
};

const io: cli.Io = { out: (line) => console.log(line), err: (line) => console.error(line) };

async function serve(): Promise<void> {
  const config = loadConfig();
  const v8Flags = tuneV8ForServer();
  const { createApp } = await import('./app.js');
  const app = await createApp(config);
  app.log.info({ v8Flags }, 'V8 flags set for a long-running server');
  if (app.bootstrapResult) {
    const { email, generatedPassword } = app.bootstrapResult;
    // Printed once, to the terminal only; never written to the log.
    process.stderr.write(
      generatedPassword
        ? `\n  First admin created: ${email}\n  Generated password (shown once): ${generatedPassword}\n  Sign in and change it with changePassword.\n\n`
        : `\n  First admin created: ${email} (password from ADMIN_PASSWORD)\n\n`,
    );
  }
  const url = await app.start();
  process.stderr.write(`Gatehouse ready: ${url} (GraphiQL in the browser, graphql-ws on the same URL)\n`);
  process.stderr.write(`Web console: ${url.replace(/\/graphql$/, '/console/')}\n`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function runMigrate(): void {
  const config = loadConfig();
  const db = openDatabase(config.databasePath);
  try {
    const applied = migrate(db);
    io.out(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database is up to date');
    io.out(`Schema version: ${schemaVersion(db)}`);
  } finally {
    db.close();
  }
}

const COMMON = { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } } as const;

function parse<O extends ParseArgsConfig['options']>(args: string[], options: O) {
  return parseArgs({ args, options: { ...COMMON, ...options }, strict: true, allowPositionals: true });
}

/** Runs one CLI invocation; resolves the exit code (-1: keep running, the server is up). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  if (!(command in HELP)) throw new cli.CliError(`unknown command "${command}". Run "gatehouse --help" for the list.`, 2);
  const { values, positionals } = parse(rest, {
    email: { type: 'string' },
    role: { type: 'string' },
    admin: { type: 'boolean' },
    name: { type: 'string' },
    password: { type: 'string' },
    reason: { type: 'string' },
    user: { type: 'string' },
    all: { type: 'boolean' },
    ttl: { type: 'string' },
  });
  if (values.help) {
    io.out(HELP[command]);
    return 0;
  }
  const [sub, arg] = positionals;
  switch (command) {
    case 'serve':
      await serve();
      return -1;
    case 'migrate':
      runMigrate();
      return 0;
    case 'status':
      await cli.status(loadConfig(), io, { json: values.json });
      return 0;
    case 'doctor':
      return (await cli.doctor(process.env, io)) ? 0 : 1;
    case 'backup':
      await cli.backup(loadConfig(), io, positionals[0]);
      return 0;
    case 'user':
      if (sub === 'create') await cli.userCreate(loadConfig(), io, values);
      else if (sub === 'approve' || sub === 'suspend' || sub === 'reactivate') await cli.userStatus(loadConfig(), io, sub, arg, values.reason);
      else throw new cli.CliError('user needs one of: create, approve, suspend, reactivate (see "gatehouse user --help")', 2);
      return 0;
    case 'sessions':
      if (sub === 'list') await cli.sessionsList(loadConfig(), io, values);
      else if (sub === 'revoke') await cli.sessionsRevoke(loadConfig(), io, arg, values);
      else if (sub === 'create') await cli.sessionsCreate(loadConfig(), io, values);
      else throw new cli.CliError('sessions needs one of: list, revoke, create (see "gatehouse sessions --help")', 2);
      return 0;
    default:
      throw new cli.CliError(`unknown command "${command}"`, 2);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      io.err(error.message);
      process.exit(1);
    }
    const code = error instanceof cli.CliError ? error.exitCode : (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
    io.err(`gatehouse: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(code);
  },
);

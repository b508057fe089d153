/**
 * The `gatehouse` command line. Only argument parsing and printing live here; the work is done by
 * the app and its services.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { createApp } from './app.js';
import { migrate, openDatabase, schemaVersion } from './db/open.js';

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  serve      Serve GraphQL, GraphiQL and graphql-ws on http://HOST:PORT/graphql
  migrate    Bring the database schema up to date and exit

Configuration comes from environment variables; see README.md ("Configuration").
Run "gatehouse <command> --help" for a command's options.`;

async function serve(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
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
  const applied = migrate(db);
  console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database is up to date');
  console.log(`Schema version: ${schemaVersion(db)}`);
  db.close();
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const { values } = parseArgs({ args: rest, options: { help: { type: 'boolean', short: 'h' } }, strict: true });
  switch (command) {
    case 'serve':
      if (values.help) return help('serve', 'Serve the API. Env: PORT, HOST, DATABASE_PATH, … (see README).');
      await serve();
      return -1;
    case 'migrate':
      if (values.help) return help('migrate', 'Apply pending schema migrations to DATABASE_PATH and exit.');
      runMigrate();
      return 0;
    default:
      console.error(`gatehouse: unknown command "${command}". Run "gatehouse --help" for the list.`);
      return 2;
  }
}

function help(command: string, text: string): number {
  console.log(`Usage: gatehouse ${command}\n\n${text}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') console.error(`gatehouse: ${error.message}`);
    else console.error(`gatehouse: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

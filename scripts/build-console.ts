/**
 * Builds the web console (console/ → console/dist) with Vite.
 *
 *   tsx scripts/build-console.ts             always build (npm run build)
 *   tsx scripts/build-console.ts --if-stale  build only when dist is missing or older than the sources (npm start)
 *
 * With --if-stale and Vite not installed (a production install without devDependencies), it
 * warns and exits 0: the server then answers /console with a page saying to run `npm run build`.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const CONSOLE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'console');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');

/** Sources whose change means a rebuild: the app, its HTML, static files, config and the lock file. */
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json', '../package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when console/dist/index.html is missing or older than any source file. */
export function consoleIsStale(consoleDir = CONSOLE_DIR): boolean {
  const index = join(consoleDir, 'dist', 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((source) => newestMtime(join(consoleDir, source)) > built);
}

/** Runs the Vite production build of the console; resolves when console/dist is written. */
export async function buildConsole(consoleDir = CONSOLE_DIR): Promise<void> {
  const { build } = await import('vite');
  await build({
    root: consoleDir,
    configFile: join(consoleDir, 'vite.config.ts'),
    mode: 'production',
    logLevel: 'warn',
  });
}

async function main() {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && !consoleIsStale()) return;
  const built = existsSync(join(CONSOLE_DIST, 'index.html'));
  try {
    await import('vite');
  } catch {
    const message = 'Vite is not installed, so the web console cannot be built (install devDependencies, then `npm run build`).';
    if (ifStale) {
      console.warn(`${message} Starting without it.`);
      return;
    }
    throw new Error(message);
  }
  // A production bundle whatever the caller's NODE_ENV (under a test runner it is "test", which
  // would bundle React's development build).
  process.env.NODE_ENV = 'production';
  const started = performance.now();
  console.log(`Building the web console${ifStale ? (built ? ' (sources changed)' : ' (not built yet)') : ''}…`);
  await buildConsole();
  console.log(`Web console built into console/dist in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

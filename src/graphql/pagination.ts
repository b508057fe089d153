import { badUserInput } from './errors.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Forward pagination arguments of a Relay connection. */
export interface ForwardArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Validates `first` and refuses backward paging, which these lists do not offer. */
export function pageSize(args: ForwardArgs): number {
  if (args.last != null || args.before != null) {
    throw badUserInput([{ path: 'last', message: 'backward paging is not supported; use first/after' }]);
  }
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badUserInput([{ path: 'first', message: `must be between 1 and ${MAX_PAGE_SIZE}` }]);
  }
  return first;
}

/** Opaque cursor from the parts of a sort key. */
export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** Reads a cursor made by {@link encodeCursor}; BAD_USER_INPUT when it was tampered with. */
export function decodeCursor(cursor: string): unknown[] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parts)) return parts;
  } catch {
    /* fall through */
  }
  throw badUserInput([{ path: 'after', message: 'is not a cursor returned by this list' }]);
}

/**
 * Builds a connection from `first + 1` fetched rows: the extra row only tells whether a next page exists.
 */
export function toConnection<T>(rows: T[], first: number, cursorOf: (row: T) => string) {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}


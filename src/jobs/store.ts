import type { Db } from '../db/open.js';

export const EMPLOYMENT_TYPES = ['FULL_TIME', 'PART_TIME', 'CONTRACT', 'INTERNSHIP', 'TEMPORARY'] as const;
export type EmploymentType = (typeof EMPLOYMENT_TYPES)[number];
export const JOB_STATUSES = ['OPEN', 'CLOSED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A job posting. Times are unix seconds. */
export interface Job {
  id: string;
  employerId: string;
  title: string;
  description: string;
  location: string;
  employmentType: EmploymentType;
  salaryMin: number | null;
  salaryMax: number | null;
  status: JobStatus;
  createdAt: number;
  updatedAt: number;
}

/** The editable part of a job. */
export type JobFields = Pick<Job, 'title' | 'description' | 'location' | 'employmentType' | 'salaryMin' | 'salaryMax'>;

export interface JobFilter {
  search?: string | null;
  location?: string | null;
  status?: JobStatus | null;
  employerId?: string | null;
}

/** One page of jobs. With a search the order is relevance and `offset` pages; otherwise newest first by keyset. */
export interface JobPage {
  first: number;
  offset?: number;
  after?: { createdAt: number; id: string } | null;
}

export interface JobStats {
  total: number;
  open: number;
  closed: number;
  postedSince: number;
}

/** All SQL about jobs. */
export interface JobStore {
  insert(job: Job): Promise<void>;
  findById(id: string): Promise<Job | null>;
  update(id: string, fields: JobFields, at: number): Promise<Job | null>;
  setStatus(id: string, status: JobStatus, at: number): Promise<Job | null>;
  delete(id: string): Promise<boolean>;
  list(filter: JobFilter, page: JobPage): Promise<Job[]>;
  stats(since: number): Promise<JobStats>;
}

interface JobRow {
  id: string;
  employer_id: string;
  title: string;
  description: string;
  location: string;
  employment_type: string;
  salary_min: number | null;
  salary_max: number | null;
  status: string;
  created_at: number;
  updated_at: number;
}

function jobFromRow(row: JobRow): Job {
  return {
    id: row.id,
    employerId: row.employer_id,
    title: row.title,
    description: row.description,
    location: row.location,
    employmentType: row.employment_type as EmploymentType,
    salaryMin: row.salary_min,
    salaryMax: row.salary_max,
    status: row.status as JobStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Turns free text into an FTS5 query: each word becomes a quoted prefix term, so user input can
 * never be read as FTS syntax (AND, NEAR, column filters, unbalanced quotes).
 */
export function toFtsQuery(search: string): string | null {
  const words = search.match(/[\p{L}\p{N}]+/gu)?.slice(0, 16) ?? [];
  if (words.length === 0) return null;
  return words.map((w) => `"${w}"*`).join(' ');
}

/** SQLite implementation of {@link JobStore}. */
export class SqliteJobStore implements JobStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO jobs (id, employer_id, title, description, location, employment_type, salary_min, salary_max, status, created_at, updated_at)
         VALUES (@id, @employerId, @title, @description, @location, @employmentType, @salaryMin, @salaryMax, @status, @createdAt, @updatedAt)`,
      ),
      byId: db.prepare('SELECT * FROM jobs WHERE id = ?'),
      update: db.prepare(
        `UPDATE jobs SET title = @title, description = @description, location = @location, employment_type = @employmentType,
                salary_min = @salaryMin, salary_max = @salaryMax, updated_at = @at
          WHERE id = @id RETURNING *`,
      ),
      setStatus: db.prepare('UPDATE jobs SET status = ?, updated_at = ? WHERE id = ? RETURNING *'),
      delete: db.prepare('DELETE FROM jobs WHERE id = ?'),
      stats: db.prepare(
        `SELECT count(*) AS total, coalesce(sum(status = 'OPEN'), 0) AS open, coalesce(sum(status = 'CLOSED'), 0) AS closed,
                coalesce(sum(created_at >= ?), 0) AS postedSince FROM jobs`,
      ),
    };
  }

  async insert(job: Job): Promise<void> {
    this.stmts.insert.run(job);
  }

  async findById(id: string): Promise<Job | null> {
    const row = this.stmts.byId.get(id) as JobRow | undefined;
    return row ? jobFromRow(row) : null;
  }

  async update(id: string, fields: JobFields, at: number): Promise<Job | null> {
    const row = this.stmts.update.get({ ...fields, id, at }) as JobRow | undefined;
    return row ? jobFromRow(row) : null;
  }

  async setStatus(id: string, status: JobStatus, at: number): Promise<Job | null> {
    const row = this.stmts.setStatus.get(status, at, id) as JobRow | undefined;
    return row ? jobFromRow(row) : null;
  }

  async delete(id: string): Promise<boolean> {
    return this.stmts.delete.run(id).changes > 0;
  }

  async list(filter: JobFilter, page: JobPage): Promise<Job[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const fts = filter.search ? toFtsQuery(filter.search) : null;
    if (filter.search && !fts) return [];
    if (fts) {
      where.push('jobs_fts MATCH ?');
      params.push(fts);
    }
    if (filter.status) {
      where.push('j.status = ?');
      params.push(filter.status);
    }
    if (filter.employerId) {
      where.push('j.employer_id = ?');
      params.push(filter.employerId);
    }
    if (filter.location) {
      where.push("j.location LIKE ? ESCAPE '\\'");
      params.push(`%${filter.location.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (!fts && page.after) {
      where.push('(j.created_at < ? OR (j.created_at = ? AND j.id < ?))');
      params.push(page.after.createdAt, page.after.createdAt, page.after.id);
    }
    const from = fts ? 'jobs_fts JOIN jobs j ON j.rowid = jobs_fts.rowid' : 'jobs j';
    const order = fts ? 'bm25(jobs_fts, 10.0, 3.0, 1.0), j.created_at DESC, j.id DESC' : 'j.created_at DESC, j.id DESC';
    const sql = `SELECT j.* FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ? OFFSET ?`;
    const rows = this.db.prepare(sql).all(...params, page.first, fts ? (page.offset ?? 0) : 0) as JobRow[];
    return rows.map(jobFromRow);
  }

  async stats(since: number): Promise<JobStats> {
    return this.stmts.stats.get(since) as JobStats;
  }
}

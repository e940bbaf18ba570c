// scripts/postgres.sh starts the server with glibc's malloc keeping the memory a backend frees
// (GLIBC_TUNABLES): a connection's next large sort reuses it instead of faulting it in again page
// by page, which cost every funnel part 0.25 s of system time (bench/HISTORY.md § 30).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { databaseUrl, ensurePostgres } from '../support/services.ts';

/** Minor page faults of a process so far (field 10 of /proc/<pid>/stat, proc(5)). */
function minorFaults(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

// About 40 MB of sort memory in one statement: a quicksort, well above glibc's default trim threshold (128 kB).
const SORT = 'SELECT count(*) FROM (SELECT md5(g::text) FROM generate_series(1, 400000) g ORDER BY 1) s';

test('a backend reuses the memory of its previous sort instead of faulting it in again', async (t) => {
  await ensurePostgres();
  const client = new pg.Client({ connectionString: databaseUrl({ database: 'analytics' }) });
  await client.connect();
  try {
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    if (!existsSync(`/proc/${pid}/stat`)) {
      t.skip(`backend ${pid} is not a process of this machine (the server in DATABASE_URL runs elsewhere): its page faults cannot be read`);
      return;
    }
    await client.query("SET work_mem = '64MB'");
    const faults = async () => {
      const before = minorFaults(pid);
      await client.query(SORT);
      return minorFaults(pid) - before;
    };
    const first = await faults();
    const second = await faults();
    assert.ok(first > 5000, `the first sort faulted only ${first} pages: too little memory to tell`);
    assert.ok(
      second < first / 10,
      `the second sort faulted ${second} pages against ${first} for the first: the server gives its memory back after every statement ` +
        '(started without GLIBC_TUNABLES? bash scripts/postgres.sh stop && bash scripts/postgres.sh start)',
    );
  } finally {
    await client.end();
  }
});

// `npm run -s projects|keys|users -- …`: the operators' CLI. The last line of output is JSON (for
// scripts); errors are one line on stderr and exit code 1. Reads DATABASE_URL and API_KEY_PEPPER.
import { Type } from '@sinclair/typebox';
import pg from 'pg';
import { ConfigError, loadConfig } from '../lib/config.ts';
import { runCli, USAGE, type CliCommand } from './cli-commands.ts';
import { TenancySettings } from './settings.ts';

const [command, ...args] = process.argv.slice(2);
const print = (line: string) => process.stdout.write(`${line}\n`);
const printError = (line: string) => process.stderr.write(`error: ${line}\n`);
const config = (() => {
  try {
    return loadConfig(Type.Object({ databaseUrl: TenancySettings.databaseUrl, apiKeyPepper: TenancySettings.apiKeyPepper }));
  } catch (error) {
    if (error instanceof ConfigError) {
      printError(error.message.replace(/\n\s*/g, ' '));
      process.exit(1);
    }
    throw error;
  }
})();

if (command === undefined || !(command in USAGE)) {
  printError(`unknown command "${command ?? ''}": use projects, keys or users`);
  process.exit(1);
}
const db = new pg.Pool({ connectionString: config.databaseUrl, max: 1 });
try {
  const out = await runCli(command as CliCommand, args, { db, pepper: config.apiKeyPepper });
  if (out.ok) {
    if (out.value.note !== undefined) print(out.value.note);
    print(JSON.stringify(out.value.json));
  } else {
    printError(out.error);
    process.exitCode = 1;
  }
} catch (error) {
  printError((error as Error).message.split('\n')[0]!);
  process.exitCode = 1;
} finally {
  await db.end().catch(() => undefined);
}

// In-memory salts: fast unit tests of the collect use case, and the salts of an app built without
// a database. Random per period like the real store, kept for the life of the process.
import { randomBytes } from 'node:crypto';
import { saltPeriod, type VisitorSalts } from './salt-periods.ts';

export function createMemorySalts(): VisitorSalts {
  const salts = new Map<string, Uint8Array>();
  return {
    async saltFor(mode, at) {
      const period = saltPeriod(mode, at);
      let salt = salts.get(period);
      if (salt === undefined) {
        salt = randomBytes(32);
        salts.set(period, salt);
      }
      return salt;
    },
  };
}

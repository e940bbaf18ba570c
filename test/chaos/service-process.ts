// One Node service (collector or pipeline) run as a child process, the way operators run it:
// `node --import tsx <entry>`, its JSON log lines appended to a file. The harness starts,
// signals and restarts it; nothing else ever touches the process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<Exit> | undefined;
  private log: WriteStream | undefined;
  /** How many times the process was started. */
  starts = 0;

  constructor(
    readonly name: string,
    private readonly root: string,
    private readonly entry: string,
    private readonly env: NodeJS.ProcessEnv,
    readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.log ??= createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', this.entry], {
      cwd: this.root,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.child = child;
    this.starts++;
  }

  /** Sends a signal and waits for the exit; SIGKILL after `graceMs` if it has not gone. */
  async stop(signal: NodeJS.Signals, graceMs = 30_000): Promise<Exit> {
    const child = this.child;
    if (child === undefined || this.exited === undefined) throw new Error(`${this.name} was never started`);
    if (!this.running) return this.exited;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, forced]);
    clearTimeout(timer);
    return this.exited;
  }

  /** The last lines of the log, for failure messages. */
  async tail(lines = 30): Promise<string> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  }

  async close(): Promise<void> {
    if (this.running) await this.stop('SIGTERM', 10_000);
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
    this.log = undefined;
  }
}

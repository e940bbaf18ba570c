// `npm run -s send -- (--http | --grpc) FILE.ndjson [--from-line N] …`: streams an NDJSON file to
// the collector, prints the summary as JSON on stdout; on an early stop, says on stderr why and
// the command that resumes. Exit 0 answered, 1 stopped or refused, 2 usage (send/README.md).
import { isGzipFile } from './file-lines.ts';
import { interruptOnSigint } from './interrupt.ts';
import { parseSendArgs, resumeCommand, USAGE } from './options.ts';
import type { SendOutcome } from './outcome.ts';
import { sendGrpc } from './send-grpc.ts';
import { sendHttp } from './send-http.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

const parsed = parseSendArgs(process.argv.slice(2));
if (!parsed.ok) {
  err(`send: ${parsed.error}\n\n${USAGE}`);
  process.exit(2);
}
if (parsed.value.help) {
  out(USAGE);
  process.exit(0);
}
const options = parsed.value;
if (await isGzipFile(options.file)) {
  // Sent as it is, every line would be refused as bytes that are no UTF-8, or the whole body as gzip without its header.
  err(`send: refused: ${options.file} is gzip-compressed; send reads NDJSON text: decompress it first (gunzip -k ${options.file}); --gzip compresses on the way by itself`);
  process.exit(1);
}
const interrupt = interruptOnSigint(() => err('send: stopping after the line being sent; waiting for the collector\'s answer (Ctrl-C again to quit at once)'));
const outcome: SendOutcome =
  options.transport === 'http'
    ? await sendHttp(options.file, { url: options.url, key: options.key, project: options.project, gzip: options.gzip, fromLine: options.fromLine, interrupt })
    : await sendGrpc(options.file, { address: options.grpcAddress, key: options.key, project: options.project, fromLine: options.fromLine, interrupt });

if (outcome.status === 'complete') {
  out(JSON.stringify(outcome.summary));
} else if (outcome.status === 'refused') {
  err(`send: refused: ${outcome.reason}`);
  process.exitCode = 1;
} else {
  if (outcome.summary !== undefined) out(JSON.stringify(outcome.summary));
  const done = outcome.summary === undefined ? `nothing after line ${outcome.resumeFrom - 1} is known to be stored` : `lines up to ${outcome.summary.last_acked_line} are answered (accepted ${outcome.summary.accepted}, rejected ${outcome.summary.rejected})`;
  err(`send: stopped: ${outcome.reason}; ${done}`);
  if (outcome.unsendableLine !== undefined) {
    const line = outcome.unsendableLine;
    err(`line ${line} is refused as it is: shorten it in the file, then resume with: ${resumeCommand(options, line)}`);
    err(`or leave line ${line} out and resume with: ${resumeCommand(options, line + 1)}`);
  } else {
    err(`resume${outcome.retryAfterSeconds === undefined ? '' : ` in ${outcome.retryAfterSeconds} s`} with: ${resumeCommand(options, outcome.resumeFrom)}`);
  }
  process.exitCode = 1;
}

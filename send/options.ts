// The send client's command line, judged once before anything is read or sent. Pure: argv and
// the environment in, options or a usage error out.
import { parseArgs } from 'node:util';
import { Type } from '@sinclair/typebox';
import { ConfigError, loadConfig } from '../lib/config.ts';
import type { Result } from '../lib/result.ts';

export const USAGE = `usage: npm run -s send -- (--http | --grpc) FILE.ndjson [options]

Streams FILE (one JSON event per line) to the collector and prints the summary as JSON:
{"accepted":N,"rejected":M,"errors":[{"line":L,"field":"/page_url","message":"…"}],"last_acked_line":K}
Line numbers are the file's lines.

  --http                 POST /api/v1/events/stream (NDJSON): each line is sent as it is
  --grpc                 analytics.v1.Ingest/StreamEvents: each line becomes one Event message
  --url URL              the collector's HTTP address (env COLLECTOR_URL; default http://127.0.0.1:3001)
  --grpc-address H:P     the collector's gRPC address (env COLLECTOR_GRPC_ADDRESS; default 127.0.0.1:50051)
  --project ID           the project, for an organization-wide key
  --gzip                 compress the HTTP body (Content-Encoding: gzip)
  --from-line N          start at line N of FILE (resume after a failure: N = last_acked_line + 1)
  --key KEY              the secret key (ingest scope); prefer the variable ANALYTICS_API_KEY (argv is visible in ps)
  -h, --help             this text

Exit status: 0 the whole file was answered (the summary counts refused lines), 1 the stream
stopped early or was refused (stderr says why and from which line to resume), 2 usage error.`;

export interface SendOptions {
  transport: 'http' | 'grpc';
  file: string;
  key: string;
  /** Collector base URL for --http, e.g. http://127.0.0.1:3001. */
  url: string;
  /** host:port for --grpc. */
  grpcAddress: string;
  project?: string;
  gzip: boolean;
  /** First file line sent (1-based). */
  fromLine: number;
}

/** The variables the client reads; validated with the services' own config loader. */
const SendEnv = Type.Object({
  analyticsApiKey: Type.Optional(Type.String({ minLength: 1 })),
  collectorUrl: Type.String({ minLength: 1, default: 'http://127.0.0.1:3001' }),
  collectorGrpcAddress: Type.String({ minLength: 1, default: '127.0.0.1:50051' }),
});

export type ParsedCommand = Result<{ help: true } | ({ help: false } & SendOptions), { error: string }>;

/** argv after `--`, and the environment. */
export function parseSendArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParsedCommand {
  let parsed;
  let config;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        http: { type: 'boolean', default: false },
        grpc: { type: 'boolean', default: false },
        url: { type: 'string' },
        'grpc-address': { type: 'string' },
        project: { type: 'string' },
        gzip: { type: 'boolean', default: false },
        'from-line': { type: 'string' },
        key: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    config = loadConfig(SendEnv, env);
  } catch (error) {
    if (error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return { ok: false, error: (error as Error).message.replace(/\n\s*/g, ' ') };
    }
    throw error;
  }
  const { values, positionals } = parsed;
  if (values.help) return { ok: true, value: { help: true } };
  if (values.http === values.grpc) return { ok: false, error: 'choose one transport: --http or --grpc' };
  if (positionals.length !== 1) return { ok: false, error: positionals.length === 0 ? 'name the NDJSON file to send' : `one file at a time, got ${positionals.length}` };
  const fromLine = values['from-line'] === undefined ? 1 : Number(values['from-line']);
  if (!Number.isSafeInteger(fromLine) || fromLine < 1) return { ok: false, error: `--from-line must be a line number (1 or more), got "${values['from-line']}"` };
  const key = values.key ?? config.analyticsApiKey;
  if (key === undefined || key === '') return { ok: false, error: 'no key: set ANALYTICS_API_KEY (or pass --key)' };
  if (values.gzip && values.grpc) return { ok: false, error: '--gzip is for --http (gRPC messages are not compressed by this client)' };
  const url = values.url ?? config.collectorUrl;
  if (!/^https?:\/\/[^/]+/.test(url)) return { ok: false, error: `--url must be an http(s) URL, got "${url}"` };
  const grpcAddress = values['grpc-address'] ?? config.collectorGrpcAddress;
  if (!/^[^\s/]+:\d+$/.test(grpcAddress)) return { ok: false, error: `--grpc-address must be host:port, got "${grpcAddress}"` };
  return {
    ok: true,
    value: {
      help: false,
      transport: values.http ? 'http' : 'grpc',
      file: positionals[0]!,
      key,
      url: url.replace(/\/+$/, ''),
      grpcAddress,
      ...(values.project === undefined ? {} : { project: values.project }),
      gzip: values.gzip,
      fromLine,
    },
  };
}

/** The command line that sends the rest of the file (the key stays in the environment). */
export function resumeCommand(options: SendOptions, fromLine: number): string {
  const args = [`--${options.transport}`, options.file];
  if (options.transport === 'http' && options.url !== 'http://127.0.0.1:3001') args.push('--url', options.url);
  if (options.transport === 'grpc' && options.grpcAddress !== '127.0.0.1:50051') args.push('--grpc-address', options.grpcAddress);
  if (options.project !== undefined) args.push('--project', options.project);
  if (options.gzip) args.push('--gzip');
  args.push('--from-line', String(fromLine));
  return `npm run -s send -- ${args.map((a) => (/^[\w./:@=+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')}`;
}

// Saved funnels under /api/v1/projects/{project}/saved-funnels: create one with a name (POST), list
// them (GET), and read one's analytics for a range (GET /saved-funnels/{funnel_id}), computed as
// POST /funnels computes them (docs/metrics.md § Funnels). Definitions are validated before they
// are stored, so a saved funnel always runs.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { ParameterError, sendProblem } from '../http/problems.ts';
import { isBlankName } from '../../../lib/names.ts';
import { FunnelBodySchema, parseFunnelQuery, type FunnelBody } from '../query/funnel-query.ts';
import { isoUtc } from '../query/report-sql.ts';
import { FunnelReply, runFunnel } from './funnels.ts';
import type { RouteContext } from './route-context.ts';

const { from: _from, to: _to, tz: _tz, ...DEFINITION_FIELDS } = FunnelBodySchema.properties;
const CreateBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000]*$', description: 'Unique within the project, compared in Unicode NFC ("ü" and "u" + U+0308 are one name); stored as sent. Not empty or only whitespace.' }), ...DEFINITION_FIELDS }, { additionalProperties: false });

const SavedFunnel = Type.Object({
  funnel_id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  definition: Type.Record(Type.String(), Type.Unknown(), { description: 'The funnel as saved: steps, order, unit, window, breakdown, filters.' }),
  created_at: Type.String({ description: 'UTC, microseconds.' }),
});

const RangeQuery = Type.Object(
  { from: FunnelBodySchema.properties.from, to: FunnelBodySchema.properties.to, tz: FunnelBodySchema.properties.tz },
  { additionalProperties: false },
);
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const UNIQUE_VIOLATION = '23505';
const COLUMNS = `funnel_id::text, name, definition, ${isoUtc('created_at')} AS created_at`;

const noSuchFunnel = (reply: FastifyReply) => sendProblem(reply, 404, 'not_found', 'no such saved funnel in this project');

const EXAMPLE = { name: 'Pricing to sign-up', steps: [{ event_type: 'page_view', page: '/pricing' }, { event_type: 'button_click', button_id: 'signup' }], window: 'P1D' };

export const savedFunnelRoutes: FastifyPluginAsync<RouteContext> = async (app, { db, writeDb, now, queryParts }) => {
  app.post<{ Body: Static<typeof CreateBody> }>(
    '/saved-funnels',
    {
      schema: {
        tags: ['reports'],
        summary: 'Save a funnel under a name',
        description: 'Stores the funnel definition (as POST /funnels takes it, without the range) after checking it. 409 when the project already has a funnel of that name; 400 names the field at fault.',
        body: { ...CreateBody, examples: [EXAMPLE] },
        response: {
          201: Type.Object({ data: SavedFunnel }),
          409: { ...Type.Ref('Problem'), description: 'A funnel of that name exists in the project (error name_taken).' },
        },
      },
    },
    async (request, reply) => {
      const { name, ...definition } = request.body;
      if (isBlankName(name)) throw new ParameterError('name', 'must hold a visible character; an empty or blank name (only spaces) cannot tell funnels apart');
      // Parsed as a funnel would be, so a window or step the funnel would refuse is refused now.
      parseFunnelQuery(definition as FunnelBody, request.project, now());
      try {
        const { rows } = await writeDb.query(`INSERT INTO saved_funnels (project_id, name, definition) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`, [request.project.id, name, definition]);
        return reply.code(201).send({ data: rows[0] });
      } catch (error) {
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) return sendProblem(reply, 409, 'name_taken', `the project already has a funnel named ${JSON.stringify(name)} (names are compared in Unicode NFC)`, 'name');
        throw error;
      }
    },
  );

  app.get(
    '/saved-funnels',
    {
      schema: {
        tags: ['reports'],
        summary: "The project's saved funnels",
        description: 'Every saved funnel of the project, oldest first (then by name).',
        querystring: Type.Object({}, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(SavedFunnel) }) },
      },
    },
    async (request) => {
      const { rows } = await db.query(`SELECT ${COLUMNS} FROM saved_funnels WHERE project_id = $1 ORDER BY created_at, name COLLATE "C"`, [request.project.id]);
      return { data: rows };
    },
  );

  app.get<{ Params: { funnel_id: string }; Querystring: Static<typeof RangeQuery> }>(
    '/saved-funnels/:funnel_id',
    {
      schema: {
        tags: ['reports'],
        summary: "A saved funnel's analytics for a range",
        description: 'Runs the saved definition over from, to and tz exactly as POST /funnels would (docs/metrics.md § Funnels). 404 for a funnel the project does not hold.',
        params: Type.Object({ funnel_id: Type.String({ pattern: UUID.source, description: 'The saved funnel’s id (UUID); anything else is a 400 naming funnel_id.' }) }),
        querystring: RangeQuery,
        response: { 200: FunnelReply },
      },
    },
    async (request, reply) => {
      const { rows } = await db.query<{ definition: Record<string, unknown> }>('SELECT definition FROM saved_funnels WHERE project_id = $1 AND funnel_id = $2', [request.project.id, request.params.funnel_id]);
      if (rows.length === 0) return noSuchFunnel(reply);
      return runFunnel(db, { ...(rows[0]!.definition as FunnelBody), ...request.query }, request.project, now(), queryParts);
    },
  );
};

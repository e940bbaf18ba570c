// How many steps a funnel has (POST /funnels, saved funnels): the API's schema and the dashboard's
// step editor read these, so both refuse at the same count. Kept free of imports: the dashboard
// bundles it.

/** Fewest steps of a funnel: one step converts nothing. */
export const MIN_FUNNEL_STEPS = 2;
/** Most steps of a funnel. */
export const MAX_FUNNEL_STEPS = 10;

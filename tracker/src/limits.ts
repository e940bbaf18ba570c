// The contract's limits the tracker needs, as single constants: the build evaluates this file
// and inlines the numbers, so the contract's object never lands in analytics.js.
import { LIMITS } from '#contract/limits.ts';

export const PAGE_URL_MAX = LIMITS.pageUrl;
export const PAGE_TITLE_MAX = LIMITS.pageTitle;
export const BUTTON_ID_MAX = LIMITS.buttonId;
export const REFERRER_MAX = LIMITS.referrer;

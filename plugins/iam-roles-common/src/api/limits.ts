/** Length limits of a request's justification, in characters: the broker checks them, the dialogs say them. */
export const JUSTIFICATION_MIN = 10;
/** See {@link JUSTIFICATION_MIN}. */
export const JUSTIFICATION_MAX = 1000;

/** A role counts as unused when AWS saw no use of it in this many days (or never, as far as it tracks). */
export const UNUSED_AFTER_DAYS = 90;

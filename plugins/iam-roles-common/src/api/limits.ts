/** Length limits of a request's justification, in characters: the broker checks them, the dialogs say them. */
export const JUSTIFICATION_MIN = 10;
/** See {@link JUSTIFICATION_MIN}. */
export const JUSTIFICATION_MAX = 1000;

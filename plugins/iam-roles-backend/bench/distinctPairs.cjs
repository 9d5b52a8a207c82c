'use strict';

/*
 * autocannon's setupRequest for the create phases of bench:broker. autocannon's worker thread can
 * only be given a file, not a function; the phase's data travels in the request's `pairs` field.
 * Each request takes the next pair of the phase's range, so that no two creates of a run share a
 * (user, role): the broker refuses a second open request of one user for one role (409). Pair p is
 * user p mod users and role floor(p / users), so that consecutive creates come from different users.
 * The worker runs one phase and loads this file afresh, so the counter starts at 0 in each phase.
 */
let next = 0;

module.exports = function distinctPair(request) {
  const { tokens, roleRefs, first, count, justification } = request.pairs;
  const p = first + (next++ % count);
  request.headers.Authorization = `Bearer ${tokens[p % tokens.length]}`;
  request.body = JSON.stringify({
    roleRef: roleRefs[Math.floor(p / tokens.length)],
    justification,
    durationMinutes: 60,
  });
  return request;
};

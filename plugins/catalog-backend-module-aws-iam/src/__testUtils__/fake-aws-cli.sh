#!/usr/bin/env bash
# A stand-in for the AWS CLI in tests: answers from the JSON map $FAKE_AWS_ANSWERS (key: the
# arguments without "--output json", joined by spaces), logs every call to $FAKE_AWS_LOG, and fails
# like the CLI for calls it has no answer for. Never reaches AWS.
set -euo pipefail
args=()
while [ $# -gt 0 ]; do
  if [ "$1" = --output ] && [ "${2:-}" = json ]; then shift 2; continue; fi
  args+=("$1"); shift
done
key="${args[*]}"
echo "$key" >>"$FAKE_AWS_LOG"
jq -e -r --arg k "$key" 'if has($k) then (.[$k] | if type == "string" then . else tojson end) else error("no answer") end' \
  "$FAKE_AWS_ANSWERS" 2>/dev/null || {
  echo "An error occurred (AccessDeniedException) when calling $key" >&2
  exit 254
}

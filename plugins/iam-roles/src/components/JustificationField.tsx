import TextField from '@mui/material/TextField';
import {
  JUSTIFICATION_MAX,
  JUSTIFICATION_MIN,
} from '@backstage-iam/plugin-iam-roles-common';

/** What keeps a justification from being accepted by the broker, in words; undefined when none. */
export function justificationProblem(text: string): string | undefined {
  const length = text.trim().length;
  if (length < JUSTIFICATION_MIN) {
    return `Say why, in at least ${JUSTIFICATION_MIN} characters.`;
  }
  if (length > JUSTIFICATION_MAX) {
    return `Keep it to ${JUSTIFICATION_MAX} characters at most.`;
  }
  return undefined;
}

/**
 * The justification of a request, a break-glass or an extension: the broker's limits
 * (JUSTIFICATION_MIN/MAX) checked as the user types, said once the form was submitted, with a
 * count and who reads it meanwhile.
 */
export function JustificationField(props: {
  label: string;
  /** Who reads it or what to write, e.g. "The approvers read this." */
  hint: string;
  value: string;
  onChange: (value: string) => void;
  /** Whether the form was submitted once: problems show from then on. */
  submitted: boolean;
  minRows?: number;
}) {
  const problem = props.submitted
    ? justificationProblem(props.value)
    : undefined;
  return (
    <TextField
      label={props.label}
      required
      fullWidth
      multiline
      minRows={props.minRows ?? 2}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      error={Boolean(problem)}
      helperText={
        problem ??
        `${props.value.trim().length}/${JUSTIFICATION_MAX} — ${props.hint}`
      }
      // Typing past the limit is allowed (pasted text can be trimmed), far past it is not.
      inputProps={{ maxLength: JUSTIFICATION_MAX + 100 }}
    />
  );
}

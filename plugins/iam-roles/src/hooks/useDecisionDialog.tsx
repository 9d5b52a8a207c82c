import { ReactNode, useState } from 'react';
import Typography from '@mui/material/Typography';
import { Decision, useDecision } from './queries';
import { ReasonDialog } from '../components/ReasonDialog';

/** What the decision dialog asks, and what it does and says once confirmed. */
export interface DecisionPrompt {
  title: string;
  description: string;
  confirmLabel: string;
  reasonRequired: boolean;
  destructive?: boolean;
  /** The decision to send, with the reason the user gave ('' when none). */
  decision: (reason: string) => Decision;
  /** What to tell the user once the broker took the decision. */
  done: string;
}

/**
 * One decision at a time (approve, deny, revoke): `ask` opens the dialog, the dialog sends the
 * decision and stays open with the broker's error if it fails; `status` says what was done.
 */
export function useDecisionDialog(): {
  ask: (prompt: DecisionPrompt) => void;
  dialog: ReactNode;
  status: ReactNode;
} {
  const decide = useDecision();
  const [prompt, setPrompt] = useState<DecisionPrompt>();
  const [done, setDone] = useState<string>();

  const ask = (next: DecisionPrompt) => {
    decide.reset();
    setPrompt(next);
  };
  const dialog = prompt && (
    <ReasonDialog
      open
      title={prompt.title}
      description={prompt.description}
      confirmLabel={prompt.confirmLabel}
      reasonRequired={prompt.reasonRequired}
      destructive={prompt.destructive}
      pending={decide.isPending}
      error={decide.error ?? undefined}
      onCancel={() => setPrompt(undefined)}
      onConfirm={reason =>
        decide.mutate(prompt.decision(reason), {
          onSuccess: () => {
            setDone(prompt.done);
            setPrompt(undefined);
          },
        })
      }
    />
  );
  const status = done && (
    <Typography role="status" variant="body2" sx={{ mb: 1 }}>
      {done}
    </Typography>
  );
  return { ask, dialog, status };
}

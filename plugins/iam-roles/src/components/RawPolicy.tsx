import { memo, useMemo } from 'react';
import Box from '@mui/material/Box';
import { CopyTextButton } from '@backstage/core-components';
import { EmptyLine } from './common';

/** A policy document as AWS stores it, formatted and copyable (the trust policy unless labelled otherwise). */
export const RawPolicy = memo(function RawPolicyView(props: {
  policy: unknown;
  raw?: string;
  /** Accessible name of the copy button. */
  copyLabel?: string;
  /** Accessible name of the document. */
  documentLabel?: string;
}) {
  const {
    policy,
    raw,
    copyLabel = 'Copy trust policy',
    documentLabel = 'Trust policy JSON',
  } = props;
  const text = useMemo(() => {
    if (policy === undefined) {
      return raw;
    }
    // A document that is not JSON is kept as the text AWS returned.
    return typeof policy === 'string'
      ? policy
      : JSON.stringify(policy, null, 2);
  }, [policy, raw]);
  if (!text) {
    return <EmptyLine>The trust policy was not read for this role.</EmptyLine>;
  }
  return (
    <Box position="relative">
      <Box position="absolute" top={4} right={4}>
        <CopyTextButton
          text={text}
          aria-label={copyLabel}
          tooltipText="Policy copied"
        />
      </Box>
      <Box
        component="pre"
        aria-label={documentLabel}
        tabIndex={0}
        sx={{
          m: 0,
          p: 2,
          pr: 6,
          bgcolor: 'action.hover',
          borderRadius: 1,
          fontSize: 12,
          maxHeight: 480,
          overflow: 'auto',
        }}
      >
        {text}
      </Box>
    </Box>
  );
});

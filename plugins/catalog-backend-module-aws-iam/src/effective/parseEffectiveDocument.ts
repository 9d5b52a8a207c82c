// One parser for the module, the CLI and the broker: it lives in -common (pure, no I/O).
export {
  EFFECTIVE_KINDS,
  effectiveKindOf,
  parseEffectiveDocument,
} from '@backstage-iam/plugin-iam-roles-common';

import { toCsv } from '../csv';
import {
  toTrustHistoryCsvRow,
  TRUST_HISTORY_CSV_COLUMNS,
  TrustVersion,
} from './trustHistory';

const version: TrustVersion = {
  roleRef: 'resource:default/relay',
  version: 2,
  kind: 'changed',
  seenAt: '2026-11-28T10:00:00.000Z',
  arn: 'arn:aws:iam::111111111111:role/relay',
  accountId: '111111111111',
  ownerRef: 'group:default/payments',
  policyHash: 'abc',
  introducedSeverity: 'critical',
  summary: '=HYPERLINK("http://evil")',
  facts: {
    policyHash: 'abc',
    policy: '{}',
    principals: [],
    findings: [],
    ownerRef: 'group:default/payments',
    policies: [],
    identityCenter: [],
  },
  changes: {
    changed: ['trust-policy', 'findings'],
    principalsAdded: [
      { kind: 'public', id: '*', description: 'anyone' },
      { kind: 'account', id: '2', description: '@account 2' },
    ],
    principalsRemoved: [],
    findingsAppeared: [
      { id: 'public-trust', severity: 'critical', title: 'Anyone' },
    ],
    findingsGone: [],
    policiesAttached: [],
    policiesDetached: [],
    identityCenterAdded: [],
    identityCenterRemoved: [],
  },
};

describe('trust history CSV rows', () => {
  it('flattens a version into words and neutralises cells that would start a formula', () => {
    const row = toTrustHistoryCsvRow(version);
    expect(row).toMatchObject({
      changed: 'trust-policy; findings',
      principalsAdded: 'anyone; @account 2',
      findingsAppeared: 'public-trust (critical)',
      findingsGone: '',
    });
    const [header, line] = toCsv([...TRUST_HISTORY_CSV_COLUMNS], [row]).split(
      '\r\n',
    );
    expect(header.split(',')).toEqual([...TRUST_HISTORY_CSV_COLUMNS]);
    expect(line).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });
});

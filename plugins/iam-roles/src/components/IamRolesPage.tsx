import { SyntheticEvent, useMemo } from 'react';
import { SEVERITIES } from '@backstage-iam/plugin-iam-roles-common';
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import { Content, Header, Page } from '@backstage/core-components';
import { useSearchParams } from 'react-router-dom';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import { ApprovalsTable } from './ApprovalsTable';
import { GrantsTable } from './GrantsTable';
import { MyRequestsTable } from './MyRequestsTable';
import { FindingsOverview } from './FindingsOverview';
import { IncidentLookup } from './IncidentLookup';
import { RequestDecision } from './RequestDecision';
import { ReviewList } from './ReviewList';
import { InventoryFilters, PRESETS, RoleInventory } from './RoleInventory';

const TABS = [
  { id: 'roles', label: 'Roles' },
  { id: 'access', label: 'My access' },
  { id: 'approvals', label: 'Approvals' },
  { id: 'lookup', label: 'Incident lookup' },
  { id: 'findings', label: 'Findings' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** The value when it is one of `values`, else undefined (a hand-edited URL). */
function oneOf<T extends string>(
  value: string | null,
  values: readonly T[],
): T | undefined {
  return values.find(v => v === value);
}

function PageTabs() {
  const [params, setParams] = useSearchParams();
  const requested = params.get('tab');
  const tab: TabId = TABS.some(t => t.id === requested)
    ? (requested as TabId)
    : 'roles';

  // Tab and filters live in the URL, so a lookup can be shared in an incident channel.
  const update = (next: Record<string, string | undefined>) => {
    const merged = new URLSearchParams(params);
    for (const [key, value] of Object.entries(next)) {
      if (value) {
        merged.set(key, value);
      } else {
        merged.delete(key);
      }
    }
    setParams(merged, { replace: false });
  };

  const inventoryFilters = useMemo(
    (): InventoryFilters => ({
      q: params.get('q') ?? undefined,
      owner: params.get('owner') ?? undefined,
      account: params.get('account') ?? undefined,
      severity: oneOf(params.get('severity'), SEVERITIES),
      preset: oneOf(
        params.get('preset'),
        PRESETS.map(([p]) => p),
      ),
    }),
    [params],
  );

  return (
    <Stack spacing={2}>
      <RequestDecision />
      <Tabs
        value={tab}
        // Each tab has its own filters: a new tab starts from none of the last one's.
        onChange={(_e: SyntheticEvent, value: TabId) =>
          setParams(new URLSearchParams({ tab: value }))
        }
        aria-label="IAM roles sections"
      >
        {TABS.map(t => (
          <Tab
            key={t.id}
            value={t.id}
            label={t.label}
            id={`iam-tab-${t.id}`}
            aria-controls={`iam-panel-${t.id}`}
          />
        ))}
      </Tabs>
      <Box
        role="tabpanel"
        id={`iam-panel-${tab}`}
        aria-labelledby={`iam-tab-${tab}`}
      >
        {tab === 'roles' && (
          <RoleInventory
            filters={inventoryFilters}
            onFiltersChange={f =>
              update({
                q: f.q,
                owner: f.owner,
                account: f.account,
                severity: f.severity,
                preset: f.preset,
              })
            }
          />
        )}
        {tab === 'access' && (
          <Stack spacing={2}>
            <GrantsTable mine canRevoke={false} title="Your active grants" />
            <MyRequestsTable title="Your requests" />
          </Stack>
        )}
        {tab === 'approvals' && (
          <Stack spacing={2}>
            <ApprovalsTable title="Waiting for your decision" />
            <ReviewList />
            <GrantsTable canRevoke title="Active grants on roles you can see" />
          </Stack>
        )}
        {tab === 'lookup' && (
          <IncidentLookup
            key={params.get('q') ?? ''}
            query={params.get('q') ?? undefined}
            onQueryChange={q => update({ q })}
          />
        )}
        {tab === 'findings' && (
          <FindingsOverview
            owner={params.get('owner') ?? undefined}
            severity={params.get('severity') ?? undefined}
            onFilterChange={f => update(f)}
          />
        )}
      </Box>
    </Stack>
  );
}

/** The `/iam-roles` page body: the role inventory, requests, approvals, incident lookup and findings. */
export function IamRolesPage() {
  return (
    <IamRolesQueryProvider>
      <Content>
        <PageTabs />
      </Content>
    </IamRolesQueryProvider>
  );
}

/** The page with its own header, for the legacy frontend system. */
export function IamRolesLegacyPage() {
  return (
    <Page themeId="tool">
      <Header
        title="IAM roles"
        subtitle="Every role, your access, approvals, incident lookup and findings across AWS IAM roles"
      />
      <IamRolesPage />
    </Page>
  );
}

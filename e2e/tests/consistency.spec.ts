import { APIRequestContext, expect, test } from '@playwright/test';
import { tokenFor } from './api';
import { DEVELOPER } from './users';

interface CatalogEntity {
  kind: string;
  metadata: {
    namespace?: string;
    name: string;
    annotations?: Record<string, string>;
  };
  spec?: { type?: string };
  relations?: Array<{ type: string; targetRef: string }>;
}

const refOf = (e: CatalogEntity) =>
  `${e.kind}:${e.metadata.namespace ?? 'default'}/${
    e.metadata.name
  }`.toLocaleLowerCase('en-US');

async function entities(
  request: APIRequestContext,
  headers: Record<string, string>,
  filter: string,
): Promise<CatalogEntity[]> {
  const res = await request.get(
    `/api/catalog/entities/by-query?filter=${filter}&limit=1000&fields=kind,metadata.namespace,metadata.name,metadata.annotations,spec.type,relations`,
    { headers },
  );
  expect(res.ok()).toBeTruthy();
  return (await res.json()).items;
}

/**
 * One question, one answer: for every component, group and account of the demo, the roles its IAM
 * roles tab lists (the broker's /assumable, rows of its own) are exactly the roles the catalog graph
 * draws (`canAssume` relations), and for every role the entities the graph says can assume it list it.
 * For components the incident lookup of their repository agrees too.
 */
test('the IAM roles tabs, the incident lookup and the catalog graph give one answer', async ({
  request,
}) => {
  test.setTimeout(180_000);
  const headers = {
    Authorization: `Bearer ${await tokenFor(request, DEVELOPER)}`,
  };
  const tabOf = async (ref: string) => {
    const res = await request.get(
      `/api/iam-roles/assumable?entityRef=${encodeURIComponent(ref)}`,
      { headers },
    );
    expect(res.ok()).toBeTruthy();
    const body = await res.json();
    return (body.roles as Array<{ entityRef: string; through?: string }>)
      .filter(r => !r.through)
      .map(r => r.entityRef)
      .sort();
  };
  const lookupOf = async (q: string) => {
    const res = await request.get(
      `/api/iam-roles/lookup?q=${encodeURIComponent(q)}`,
      { headers },
    );
    expect(res.ok()).toBeTruthy();
    return ((await res.json()).roles as Array<{ entityRef: string }>)
      .map(r => r.entityRef)
      .sort();
  };

  // The catalog relates and the broker re-reads on their own schedules: wait until both settled.
  await expect
    .poll(
      async () => {
        const holders = [
          ...(await entities(request, headers, 'kind=component')),
          ...(await entities(request, headers, 'kind=group')),
          ...(await entities(
            request,
            headers,
            'kind=resource,spec.type=aws-account',
          )),
        ];
        const roles = await entities(
          request,
          headers,
          'kind=resource,spec.type=aws-iam-role',
        );
        const disagreements: string[] = [];
        let related = 0;
        for (const holder of holders) {
          const ref = refOf(holder);
          const graph = (holder.relations ?? [])
            .filter(r => r.type === 'canAssume')
            .map(r => r.targetRef.toLocaleLowerCase('en-US'))
            .sort();
          related += graph.length;
          const tab = await tabOf(ref);
          if (JSON.stringify(tab) !== JSON.stringify(graph)) {
            disagreements.push(
              `${ref}: tab ${JSON.stringify(tab)} vs graph ${JSON.stringify(
                graph,
              )}`,
            );
          }
          const annotations = holder.metadata.annotations ?? {};
          const slug = annotations['github.com/project-slug'];
          // A component known only by its repository: the lookup of the repository finds its roles.
          const onlyGithub =
            slug &&
            !Object.keys(annotations).some(k => /kubernetes|gitlab/.test(k));
          if (onlyGithub) {
            const lookup = (await lookupOf(`github:${slug}`)).filter(r =>
              graph.includes(r),
            );
            if (JSON.stringify(lookup) !== JSON.stringify(graph)) {
              disagreements.push(
                `${ref}: lookup github:${slug} misses ${JSON.stringify(
                  graph.filter(r => !lookup.includes(r)),
                )}`,
              );
            }
          }
        }
        // The other way round: every entity the graph says can assume a role lists it on its tab.
        for (const role of roles) {
          for (const r of role.relations ?? []) {
            if (r.type !== 'assumableBy') continue;
            const holder = r.targetRef.toLocaleLowerCase('en-US');
            if (!(await tabOf(holder)).includes(refOf(role))) {
              disagreements.push(
                `${refOf(
                  role,
                )} is assumable by ${holder}, whose tab does not list it`,
              );
            }
          }
        }
        return { related: related > 0, disagreements };
      },
      { timeout: 150_000, intervals: [5_000] },
    )
    .toEqual({ related: true, disagreements: [] });
});

import { createBackend } from '@backstage/backend-defaults';
import { demoSignInModule } from './modules/demoSignIn';
import { demoPermissionPolicyModule } from './modules/permissionPolicy';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(demoSignInModule);

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
// IAM roles from live accounts or snapshots (the demo reads packages/sample-data/aws).
// AWS_IAM_CATALOG_MODULE=off runs the catalog without it: the yardstick of `yarn bench:catalog`.
if (process.env.AWS_IAM_CATALOG_MODULE !== 'off') {
  backend.add(import('@backstage-iam/plugin-catalog-backend-module-aws-iam'));
}

// Access broker and trust queries: /api/iam-roles
backend.add(import('@backstage-iam/plugin-iam-roles-backend'));
// The broker's actions as MCP tools for AI agents: /api/mcp-actions/v1 (backend.actions in app-config).
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(demoPermissionPolicyModule);

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.start();

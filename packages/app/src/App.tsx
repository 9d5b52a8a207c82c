import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import catalogGraphPlugin from '@backstage/plugin-catalog-graph/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import signalsPlugin from '@backstage/plugin-signals/alpha';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';
import { navModule } from './modules/nav';
import { signInModule } from './modules/signIn';
import { catalogGraphModule } from './modules/catalogGraph';

// The IAM roles plugin (@backstage-iam/plugin-iam-roles/alpha) is a dependency of this package and
// is installed by feature discovery (`app.packages: all` in app-config.yaml).
export default createApp({
  features: [
    catalogPlugin,
    catalogGraphPlugin,
    orgPlugin,
    notificationsPlugin,
    signalsPlugin,
    userSettingsPlugin,
    navModule,
    signInModule,
    catalogGraphModule,
  ],
});

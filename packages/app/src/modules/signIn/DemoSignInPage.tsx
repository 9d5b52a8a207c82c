import { useState } from 'react';
import {
  Content,
  Header,
  InfoCard,
  Page,
  ProxiedSignInPage,
  SignInPage,
} from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import type { SignInPageProps } from '@backstage/plugin-app-react';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';

/** Per-tab memory of the chosen user, so a reload does not ask again. */
const STORAGE_KEY = 'acme-demo-sign-in-user';

type DemoUser = { name: string; description?: string };

/**
 * Development-only sign-in page: pick any demo user (the backend's `demo` provider signs in as that
 * catalog user). Without `demoSignIn` config it falls back to guest sign-in.
 */
export function DemoSignInPage(props: SignInPageProps) {
  const configApi = useApi(configApiRef);
  const users: DemoUser[] =
    configApi.getOptionalConfigArray('demoSignIn.users')?.map(c => ({
      name: c.getString('name'),
      description: c.getOptionalString('description'),
    })) ?? [];
  const [chosen, setChosen] = useState<string | undefined>(
    () => window.sessionStorage.getItem(STORAGE_KEY) ?? undefined,
  );
  const [typed, setTyped] = useState('');

  if (users.length === 0) {
    return <SignInPage {...props} providers={['guest']} />;
  }

  if (chosen) {
    return (
      <ProxiedSignInPage
        {...props}
        provider="demo"
        headers={{ 'x-demo-user': chosen }}
        ErrorComponent={({ error }) => (
          <Page themeId="home">
            <Header title="Sign-in failed" />
            <Content>
              <Typography role="alert" paragraph>
                Could not sign in as {chosen}: {error?.message}
              </Typography>
              <Button
                variant="contained"
                color="primary"
                onClick={() => {
                  window.sessionStorage.removeItem(STORAGE_KEY);
                  setChosen(undefined);
                }}
              >
                Choose another user
              </Button>
            </Content>
          </Page>
        )}
      />
    );
  }

  const choose = (name: string) => {
    window.sessionStorage.setItem(STORAGE_KEY, name);
    setChosen(name);
  };

  return (
    <Page themeId="home">
      <Header
        title="Acme developer portal"
        subtitle="Demo sign-in: act as any Acme user (development only)"
      />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12} md={7}>
            <InfoCard title="Sign in as">
              <List aria-label="Demo users">
                {users.map(user => (
                  <ListItem
                    key={user.name}
                    button
                    onClick={() => choose(user.name)}
                    aria-label={`Sign in as ${user.name}`}
                  >
                    <ListItemText
                      primary={user.name}
                      secondary={user.description}
                    />
                  </ListItem>
                ))}
              </List>
            </InfoCard>
          </Grid>
          <Grid item xs={12} md={5}>
            <InfoCard title="Another catalog user">
              <form
                onSubmit={event => {
                  event.preventDefault();
                  if (typed.trim()) choose(typed.trim());
                }}
              >
                <TextField
                  label="User name"
                  helperText="The metadata.name of a User entity, e.g. jane.doe"
                  value={typed}
                  onChange={event => setTyped(event.target.value)}
                  fullWidth
                />
                <Button
                  type="submit"
                  variant="contained"
                  color="primary"
                  disabled={!typed.trim()}
                  style={{ marginTop: 16 }}
                >
                  Sign in
                </Button>
              </form>
            </InfoCard>
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}

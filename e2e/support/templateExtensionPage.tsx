// An extension page as `docker extension init` makes one: React and MUI under Docker's theme provider, talking
// to its host only through @docker/extension-api-client. Bundled by templateExtension.ts for the tests.
import { DockerMuiThemeProvider } from '@docker/docker-mui-theme';
import { createDockerDesktopClient } from '@docker/extension-api-client';
import { Box, Button, Stack, Typography, useTheme } from '@mui/material';
import CssBaseline from '@mui/material/CssBaseline';
import React from 'react';
import ReactDOM from 'react-dom/client';

const ddClient = createDockerDesktopClient();

function App() {
  const theme = useTheme();
  const [version, setVersion] = React.useState('');
  const [hostname, setHostname] = React.useState('');
  const [failure, setFailure] = React.useState('');
  const fail = (error: unknown) => setFailure(JSON.stringify(error));

  const dockerInfo = async () => {
    const result = await ddClient.docker.cli.exec('info', ['--format', '"{{json .}}"']);
    setVersion((result.parseJsonObject() as { ServerVersion: string }).ServerVersion);
  };
  const inBackend = async () => {
    const result = await ddClient.extension.vm?.cli.exec('cat', ['/etc/hostname']);
    setHostname(result?.stdout.trim() ?? 'no backend');
  };

  return (
    <Stack spacing={2} sx={{ p: 3 }}>
      <Typography variant="h3">Template extension</Typography>
      <Box data-testid="palette" sx={{ p: 1, bgcolor: theme.palette.docker.grey[100], color: theme.palette.docker.blue[700] }}>
        {theme.palette.docker.grey[100]}
      </Box>
      <Stack direction="row" spacing={1}>
        <Button variant="contained" onClick={() => dockerInfo().catch(fail)}>
          Docker info
        </Button>
        <Button variant="outlined" onClick={() => inBackend().catch(fail)}>
          Ask the backend
        </Button>
        <Button variant="outlined" onClick={() => ddClient.desktopUI.toast.success('Hello from the template extension')}>
          Toast
        </Button>
      </Stack>
      <Typography data-testid="server-version">{version}</Typography>
      <Typography data-testid="backend-hostname">{hostname}</Typography>
      <Typography data-testid="failure" color="error">
        {failure}
      </Typography>
    </Stack>
  );
}

ReactDOM.createRoot(document.getElementById('root') as HTMLElement).render(
  <React.StrictMode>
    <DockerMuiThemeProvider>
      <CssBaseline />
      <App />
    </DockerMuiThemeProvider>
  </React.StrictMode>,
);

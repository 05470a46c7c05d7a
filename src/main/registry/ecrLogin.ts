import { BerthError } from '../api/errors';
import { helperProgram } from './credentialHelper';
import { setCredHelper, updateDockerConfig } from './dockerConfig';
import { onPath } from './helperChoice';
import { eraseLogin, normalizeServer } from './logins';

/**
 * Amazon's docker-credential-ecr-login: named for a registry in config.json's credHelpers, it answers docker
 * (and Berth's pulls and pushes) with a token it fetches from the AWS credentials each time, so no password is kept.
 */
const ECR_LOGIN = 'ecr-login';

export function ecrLoginInstalled(env: NodeJS.ProcessEnv): boolean {
  return onPath(helperProgram(ECR_LOGIN), env);
}

/** Files `server` (an ECR registry) under ecr-login, in place of any login kept for it before. */
export async function useEcrLogin(env: NodeJS.ProcessEnv, server: string): Promise<void> {
  if (!ecrLoginInstalled(env)) {
    throw new BerthError(
      'CredentialHelperMissing',
      `${helperProgram(ECR_LOGIN)} is not installed (it is not on PATH).`,
      'Install it (Debian and Ubuntu: `sudo apt-get install amazon-ecr-credential-helper`; macOS: `brew install docker-credential-helper-ecr`), ' +
        'or sign in with the token `aws ecr get-login-password` prints.',
    );
  }
  const key = normalizeServer(server);
  // docker asks credHelpers first, so a password kept for this registry would only be left behind unused.
  await eraseLogin(env, key);
  updateDockerConfig(env, (config) => setCredHelper(config, key, ECR_LOGIN));
}

import type { z } from 'zod';
import { problemWith } from '../../../main/api/channel';
import { CLOUD_SERVERS, registry } from '../../../main/api/registry';
import type { PresetId } from './presets';

/** A field's problem by the contract's own rule; its rules name what they expect ("a registry host ..."), so they read as such. */
export function fieldProblem(schema: z.ZodType, value: unknown): string | null {
  const problem = problemWith(schema, value);
  return problem && /^[a-z]/.test(problem) ? `Expected ${problem}` : problem;
}

export type SignInField = 'server' | 'username' | 'password';

const signIn = registry['registry.signIn'].request.shape;

const EMPTY_SERVER: Partial<Record<PresetId, string>> = {
  ecr: 'Enter your ECR registry, such as 123456789012.dkr.ecr.us-east-1.amazonaws.com.',
  acr: "Enter your registry's login server, such as myregistry.azurecr.io.",
};

/**
 * What keeps the sign-in form from being sent; an empty field says what belongs there rather than quoting a length rule.
 * A cloud chosen holds Server to its shape, whatever is typed; a way such as ecr-login needs no username or password.
 */
export function signInProblems(form: Record<SignInField, string>, preset: PresetId = 'custom', needsPassword = true): Record<SignInField, string | null> {
  const server = form.server.trim();
  const username = form.username.trim();
  const serverRule = preset === 'ecr' || preset === 'acr' ? CLOUD_SERVERS[preset] : signIn.server;
  return {
    server: server
      ? fieldProblem(serverRule, server)
      : (EMPTY_SERVER[preset] ?? 'Enter the registry to sign in to, such as registry.example.com:5000.'),
    username: !needsPassword ? null : username ? fieldProblem(signIn.username, username) : 'Enter the user name you sign in to this registry with.',
    // A password is sent as typed: spaces may be part of it.
    password: !needsPassword ? null : form.password ? fieldProblem(signIn.password, form.password) : 'Enter the password, or an access token.',
  };
}

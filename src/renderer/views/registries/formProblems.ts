import type { z } from 'zod';
import { problemWith } from '../../../main/api/channel';
import { registry, RegistryServer } from '../../../main/api/registry';

/** A field's problem by the contract's own rule; its rules name what they expect ("a registry host ..."), so they read as such. */
export function fieldProblem(schema: z.ZodType, value: unknown): string | null {
  const problem = problemWith(schema, value);
  return problem && /^[a-z]/.test(problem) ? `Expected ${problem}` : problem;
}

export type SignInField = 'server' | 'username' | 'password';

const signIn = registry['registry.signIn'].request.shape;

/** What keeps the sign-in form from being sent; an empty field says what belongs there rather than quoting a length rule. */
export function signInProblems(form: Record<SignInField, string>): Record<SignInField, string | null> {
  const server = form.server.trim();
  const username = form.username.trim();
  return {
    server: server ? fieldProblem(RegistryServer, server) : 'Enter the registry to sign in to, such as registry.example.com:5000.',
    username: username ? fieldProblem(signIn.username, username) : 'Enter the user name you sign in to this registry with.',
    // A password is sent as typed: spaces may be part of it.
    password: form.password ? fieldProblem(signIn.password, form.password) : 'Enter the password, or an access token.',
  };
}

import { caller } from '.';
import { userView } from '../auth';
import { answer } from '../envelope';
import * as s from '../schemas';
import type { LabRoute } from '.';

/** The caller's own profile (the admin's user management comes with the rest of /users). */
export function userRoutes(route: LabRoute): void {
  route({
    method: 'get',
    path: '/api/v1/users/profile',
    tag: 'users',
    auth: 'user',
    summary: "The logged-in user's profile",
    responses: { 200: { description: 'Profile', schema: s.UserAnswer } },
    handler: async (_, ctx) => answer('Profil pengguna', { user: userView(caller(ctx).user) }),
  });
}

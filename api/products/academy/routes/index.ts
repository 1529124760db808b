import { createRoutes } from '../../../http/route';
import { AcademyError } from '../envelope';
import type { AcademyAuthLevel } from '../sessions';
import { authRoutes } from './auth';
import { certificateRoutes } from './certificates';
import { enrollmentRoutes } from './enrollments';
import { paymentRoutes } from './payments';
import type { AcademyServices } from './context';
import { discussionRoutes } from './discussions';
import { moduleRoutes } from './modules';
import { programRoutes } from './programs';
import { userRoutes } from './users';

/** Every academy.md endpoint served so far (base /api/v1), one file per area. */
export function academyRoutes(services: AcademyServices) {
  const api = createRoutes<AcademyAuthLevel>({
    authenticate: services.sessions.authenticate,
    publicLevel: 'public',
    errorSchema: AcademyError,
  });
  for (const area of [
    authRoutes,
    userRoutes,
    programRoutes,
    moduleRoutes,
    enrollmentRoutes,
    certificateRoutes,
    paymentRoutes,
    discussionRoutes,
  ])
    area(api.route, services);
  return api;
}

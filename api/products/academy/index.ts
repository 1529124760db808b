import { createMailer } from '../../../core/mail';
import type { ProductFactory } from '../types';
import { productUrl } from '../../http/mount';
import { createAccounts } from './accounts';
import { createCommentService } from './discussion-comments';
import { createDiscussionService } from './discussions';
import { createCertificateService } from './certificates';
import { createEnrollmentService } from './enrollments';
import { createPaymentCallbacks } from './payment-callbacks';
import { academyError } from './envelope';
import { createPasswordReset } from './password-reset';
import { academyRoutes } from './routes';
import { createSessions } from './sessions';
import { createUserService } from './users';
import { createModuleService } from './modules';
import { createProgramService } from './programs';

/** academy — the learning center of academy.md: learners, programs and modules, enrollments, forums. */
export const createAcademy: ProductFactory = ({ config, db, logger, temporal }) => {
  const mail = createMailer({
    smtpUrl: config.ACADEMY_SMTP_URL,
    dir: config.ACADEMY_MAIL_DIR,
    rootDir: config.rootDir,
    from: config.ACADEMY_MAIL_FROM,
  });
  const sessions = createSessions(db, config.ACADEMY_TOKEN_TTL_SECONDS);
  const accounts = createAccounts({ db, config, logger, sessions });
  const programs = createProgramService({ db });
  // Module contents open to admins, and to learners whose enrollment in the program is paid.
  const enrollments = createEnrollmentService({ db, config, temporal, logger });
  const modules = createModuleService({ db, programs, canOpen: enrollments.opensProgram });
  const routes = academyRoutes({
    sessions,
    accounts,
    passwordReset: createPasswordReset({ db, config, mail, sessions }),
    users: createUserService({ db, sessions }),
    programs,
    modules,
    discussions: createDiscussionService({ db }),
    comments: createCommentService({ db }),
    enrollments,
    certificates: createCertificateService({ db, baseUrl: productUrl(config, 'academy') }),
    payments: createPaymentCallbacks({ db, config, temporal, logger }),
  });
  return {
    name: 'academy',
    title: 'Academy',
    router: routes.router,
    errorEnvelope: academyError,
    served: routes.served,
    openapi: (serverUrl) =>
      routes.openapi(
        {
          title: 'Academy API',
          version: '1',
          description:
            'Learning-center management: learners and admins, programs and modules, enrollments paid by virtual account, certificates, discussion forums.',
        },
        serverUrl,
      ),
    start: () => accounts.bootstrapAdmin(),
  };
};

import { createMailer } from '../../../core/mail';
import type { ProductFactory } from '../types';
import { createAccounts } from './accounts';
import { academyError } from './envelope';
import { createPasswordReset } from './password-reset';
import { academyRoutes } from './routes';
import { createSessions } from './sessions';

/** academy — the learning center of academy.md: learners, programs and modules, enrollments, forums. */
export const createAcademy: ProductFactory = ({ config, db, logger }) => {
  const mail = createMailer({
    smtpUrl: config.ACADEMY_SMTP_URL,
    dir: config.ACADEMY_MAIL_DIR,
    rootDir: config.rootDir,
    from: config.ACADEMY_MAIL_FROM,
  });
  const sessions = createSessions(db, config.ACADEMY_TOKEN_TTL_SECONDS);
  const accounts = createAccounts({ db, config, logger, sessions });
  const routes = academyRoutes({
    sessions,
    accounts,
    passwordReset: createPasswordReset({ db, config, mail, sessions }),
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

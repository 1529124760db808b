import { ACADEMY_PASSWORD, academyEmail, useAcademy } from '../support/academy';

const academy = useAcademy();
const { call } = academy;

describe('academy registration under concurrency', () => {
  it('of 8 registrations of one email at once (any case), exactly one is created', async () => {
    const email = academyEmail('race');
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call('POST', '/auth/register', undefined, {
          fullName: `Racer ${i}`,
          email: i % 2 ? email.toUpperCase() : email,
          password: ACADEMY_PASSWORD,
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect(
      await academy
        .api()
        .db('academy.users')
        .whereRaw('lower(email) = ?', [email])
        .whereNull('deleted_at')
        .count({ n: '*' }),
    ).toEqual([{ n: '1' }]);
  });
});
